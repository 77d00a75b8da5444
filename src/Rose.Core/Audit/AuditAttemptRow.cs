namespace Rose.Core.Audit;

/// <summary>
/// The columns of one rose.audit_log attempt row as they are read back. The audit browser
/// (<see cref="AuditEntry"/>, with the outcome) and the chain verifier (with the hash links) read the
/// same attempt columns, so they are declared once here and each reader adds what it needs.
/// </summary>
public abstract record AuditAttemptRow
{
    public long Id { get; init; }
    public DateTimeOffset OccurredAt { get; init; }
    public required string ExecutorId { get; init; }
    public required string ExecutorName { get; init; }
    public required string ExecutorKind { get; init; }
    public required string Provider { get; init; }
    public required string Channel { get; init; }
    public required string Database { get; init; }
    public string? Reason { get; init; }
    public required string Sql { get; init; }
    public int SqlLength { get; init; }
    public required string SqlHash { get; init; }
    public IReadOnlyList<string> Operations { get; init; } = [];
    public required string Decision { get; init; }
    public IReadOnlyList<string> DecisionReasons { get; init; } = [];
    public long? ApprovalId { get; init; }
    public string? ApprovedBy { get; init; }

    /// <summary>The target transaction the attempt ran in (pg_current_xact_id), recorded before it ran.</summary>
    public long? TargetXid { get; init; }
}
