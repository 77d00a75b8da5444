namespace Rose.Core.Execution;

/// <summary>Requests that were due to run but never started.</summary>
public sealed partial class ExecutionService
{
    /// <summary>SQLSTATE 55000 (object_not_in_prerequisite_state): what the run needed around it was not there.</summary>
    public const string NotRunSqlState = "55000";

    /// <summary>
    /// Audits a request that was due to run but did not start because what must surround it could not
    /// be had (an approved migration run without its lock or snapshot). The attempt and a failed
    /// outcome are written like any other, so the audit log says why nothing ran.
    /// </summary>
    public async Task<ExecutionOutcome> RecordNotRunAsync(ExecutionRequest request, string message, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrWhiteSpace(message);
        var batch = classifier.Classify(request.Sql);
        TargetEnvironment? environment = targets.TryGet(request.Database, out var target) ? target.Definition.Environment : null;
        var decision = enforcer.Evaluate(request.Policy, request.Database, environment, batch);
        var auditId = await runs.RecordAsync(new AuditAttempt(request.Executor, request.Channel, request.Database,
            request.Reason, request.Sql, decision.Operations, decision.Decision, decision.Reasons, request.ApprovalId,
            request.ApprovedBy), new AuditOutcome(AuditStatus.Failed, ErrorSqlState: NotRunSqlState, ErrorMessage: message), ct);
        var result = new ExecutionResult { Status = ExecutionStatus.Failed, Error = new SqlError(NotRunSqlState, message) };
        return new ExecutionOutcome(OutcomeStatus.Failed, auditId, batch, decision, result, request.ApprovalId);
    }
}
