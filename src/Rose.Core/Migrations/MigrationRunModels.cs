namespace Rose.Core.Migrations;

/// <summary>One ask to apply (or dry-run, or undo) migrations on a target.</summary>
/// <param name="SingleTransaction">Apply every pending migration in one transaction: all of them or none.</param>
/// <param name="DryRun">Apply inside a transaction that is always rolled back, and report what happened.</param>
public sealed record MigrationRunRequest(
    string Database,
    MigrationSet Set,
    Actor Executor,
    SqlPolicy Policy,
    string? Reason,
    bool DryRun = false,
    bool SingleTransaction = false);

public enum MigrationRunStatus
{
    Succeeded,
    PendingApproval,
    Denied,
    Failed,
}

/// <summary>What one migration did in a run.</summary>
public sealed record AppliedMigration(
    string FileName,
    string? Version,
    string Description,
    MigrationType Type,
    bool Succeeded,
    bool AllOrNothing,
    double DurationMs,
    long? AuditId,
    IReadOnlyDictionary<string, long> PreCounts,
    IReadOnlyDictionary<string, long> PostCounts,
    ExecutionResult Result,
    long? DevlogId = null);

/// <summary>The outcome of a run; <see cref="Applied"/> lists what ran (and, for a dry run, what was rolled back).</summary>
public sealed record MigrationRunResult(
    MigrationRunStatus Status,
    string Database,
    IReadOnlyList<AppliedMigration> Applied,
    MigrationPlan? Plan = null,
    string? Error = null,
    SqlError? SqlError = null,
    long? ApprovalId = null,
    long? AuditId = null,
    string? SnapshotPath = null,
    bool DryRun = false,
    IReadOnlyList<string>? Notes = null,
    IReadOnlyList<string>? Reasons = null);

/// <summary>Progress of a run, for the page's live view.</summary>
public sealed record MigrationProgress(string Stage, string? FileName, int Done, int Total, string Message);
