namespace Rose.Core.Execution;

/// <summary>A request the policy parked for approval, with the attempt row that records it.</summary>
internal sealed record ParkedRequest(ExecutionRequest Request, PolicyDecision Decision, long AuditId);

/// <summary>
/// Where the pipeline parks a request that needs a person's approval. Declared here and implemented
/// in Approvals, so Execution does not depend on Approvals (Approvals depends on Execution: an
/// approved request runs through <see cref="ExecutionService"/>).
/// </summary>
internal interface IApprovalParking
{
    /// <summary>Creates the approval request, inside the attempt's audited run; returns its id.</summary>
    Task<long> ParkAsync(ParkedRequest parked, CancellationToken ct);

    /// <summary>After the attempt is closed as pending: the approver's risk preview and the notification. A failed preview never loses the request.</summary>
    Task AnnounceAsync(long approvalId, RegisteredTarget target, SqlBatch batch, CancellationToken ct);
}
