namespace Rose.Core.Migrations.Lint;

/// <summary>A statement that scans or rewrites while holding a lock should be bounded by statement_timeout.</summary>
public sealed class RequireStatementTimeoutRule() : RequireSessionTimeoutRule(
    "statement_timeout",
    "Start the migration with SET statement_timeout = '...' sized for its slowest statement.",
    "require-statement-timeout",
    LintSeverity.Info,
    "A locking statement runs before any SET statement_timeout: a slow scan or rewrite holds its lock unbounded.",
    ["require-statement-timeout", "require-timeout-settings"]);
