namespace Rose.Core.Approvals;

/// <summary>
/// Wraps the run of a claimed approval request with what its kind of request needs around it (a
/// migration run: the migration lock, a snapshot, row counts and its devlog), so an approved request
/// is held to the same safeguards as one that ran straight away. The approval rules (who may decide,
/// claimed exactly once) stay in <see cref="ApprovalService"/>; a guard only surrounds the execution.
/// </summary>
internal interface IApprovedRunGuard
{
    /// <summary>Whether this guard surrounds the run of the request; at most one guard should answer yes.</summary>
    bool Handles(ApprovalRequest request);

    /// <summary>
    /// Runs <paramref name="execute"/> (the stored SQL through the normal pipeline) at most once, and
    /// returns its outcome. A guard that holds a target session for the run (the migration lock) hands
    /// it to <paramref name="execute"/>, so the SQL runs on that session, not on a second connection.
    /// When the guard cannot set up what the run needs, it throws
    /// <see cref="ApprovedRunRefusedException"/> before calling <paramref name="execute"/>; it never
    /// throws after, because by then the SQL has run and its outcome must be recorded.
    /// </summary>
    Task<ExecutionOutcome> RunAsync(ApprovalRequest request, Actor approver, Func<TargetSession?, CancellationToken, Task<ExecutionOutcome>> execute, CancellationToken ct);
}
