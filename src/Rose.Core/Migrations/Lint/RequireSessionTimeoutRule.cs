namespace Rose.Core.Migrations.Lint;

/// <summary>
/// A migration that takes table locks before it SETs one of its session timeouts. The rules for
/// lock_timeout and statement_timeout differ only in the setting, their metadata and what they
/// advise, so they are two instances of this one rule rather than two classes.
/// </summary>
public sealed class RequireSessionTimeoutRule : LintRule
{
    private readonly string setting;
    private readonly string hint;

    private RequireSessionTimeoutRule(string setting, string hint, string id, LintSeverity severity, string description)
        : base(id, severity, description, [id, "require-timeout-settings"])
    {
        this.setting = setting;
        this.hint = hint;
    }

    /// <summary>
    /// DDL waiting for a lock queues every later query on the table behind it; a migration should set
    /// its own lock_timeout before its first locking statement so it fails fast instead. (Rose also sets
    /// the target's lock_timeout on every run; this asks the file to say what it needs.)
    /// </summary>
    public static RequireSessionTimeoutRule LockTimeout() => new(
        "lock_timeout",
        "Start the migration with SET lock_timeout = '5s' (Rose's target default applies otherwise).",
        "require-lock-timeout",
        LintSeverity.Warning,
        "A locking statement runs before any SET lock_timeout: while it waits, every query on the table queues behind it.");

    /// <summary>A statement that scans or rewrites while holding a lock should be bounded by statement_timeout.</summary>
    public static RequireSessionTimeoutRule StatementTimeout() => new(
        "statement_timeout",
        "Start the migration with SET statement_timeout = '...' sized for its slowest statement.",
        "require-statement-timeout",
        LintSeverity.Info,
        "A locking statement runs before any SET statement_timeout: a slow scan or rewrite holds its lock unbounded.");

    public override IEnumerable<LintFinding> Check(IReadOnlyList<LintStatement> migration, LintContext context)
    {
        if (SessionSettings.FirstLockWithout(migration, setting) is { } s)
        {
            yield return Finding(s, $"The migration takes table locks without setting {setting} first.", hint);
        }
    }
}
