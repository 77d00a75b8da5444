namespace Rose.Core.Migrations.Lint;

/// <summary>A statement that scans or rewrites while holding a lock should be bounded by statement_timeout.</summary>
public sealed class RequireStatementTimeoutRule() : RequireSessionTimeoutRule("statement_timeout",
    "Start the migration with SET statement_timeout = '...' sized for its slowest statement.")
{
    public override string Id => "require-statement-timeout";

    public override LintSeverity Severity => LintSeverity.Info;

    public override string Description => "A locking statement runs before any SET statement_timeout: a slow scan or rewrite holds its lock unbounded.";

    public override IReadOnlyList<string> Squawk => ["require-statement-timeout", "require-timeout-settings"];
}
