namespace Rose.Core.Execution;

/// <summary>One ask to run SQL, from any channel.</summary>
/// <param name="Policy">The policy of the identity asking (agent's own, or the human's role policy).</param>
/// <param name="MaxRows">Rows wanted per result set; capped by the policy and the target.</param>
/// <param name="ApprovalId">Set only by the approvals service when it runs an approved request.</param>
public sealed record ExecutionRequest(
    Actor Executor,
    Channel Channel,
    string Database,
    string Sql,
    string? Reason,
    SqlPolicy Policy,
    int? MaxRows = null,
    long? ApprovalId = null,
    string? ApprovedBy = null);

public enum OutcomeStatus
{
    Succeeded,
    Failed,
    Denied,
    PendingApproval,
    Cancelled,
}

/// <summary>What came of a request: always audited, whatever the status.</summary>
public sealed record ExecutionOutcome(
    OutcomeStatus Status,
    long AuditId,
    SqlBatch Batch,
    PolicyDecision Decision,
    ExecutionResult? Result = null,
    long? ApprovalId = null)
{
    public IReadOnlyList<string> Reasons => Decision.Reasons;
}

/// <summary>Bad input: nothing was classified or run. The message says what to fix.</summary>
public sealed class ExecutionRequestException(string message) : Exception(message)
{
    /// <summary>The audit row of the refused attempt, when the refusal was audited (characters PostgreSQL refuses).</summary>
    public long? AuditId { get; init; }
}
