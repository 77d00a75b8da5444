namespace Rose.Core.Migrations.Lint;

/// <summary>
/// DDL waiting for a lock queues every later query on the table behind it; a migration should set
/// its own lock_timeout before its first locking statement so it fails fast instead. (Rose also sets
/// the target's lock_timeout on every run; this asks the file to say what it needs.)
/// </summary>
public sealed class RequireLockTimeoutRule() : RequireSessionTimeoutRule(
    "lock_timeout",
    "Start the migration with SET lock_timeout = '5s' (Rose's target default applies otherwise).",
    "require-lock-timeout",
    LintSeverity.Warning,
    "A locking statement runs before any SET lock_timeout: while it waits, every query on the table queues behind it.",
    ["require-lock-timeout", "require-timeout-settings"]);
