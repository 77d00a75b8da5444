using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rose.Core.Approvals;
using Rose.Core.Audit;
using Rose.Core.Configuration;
using Rose.Core.Policy;
using Rose.Core.Sql;
using Rose.Core.Targets;

namespace Rose.Core.Execution;

/// <summary>
/// The one pipeline every path goes through: classify with the real parser, decide with the
/// policy enforcer, write the audit row (fail closed), then run, deny, or park for approval,
/// and record the outcome.
/// </summary>
public sealed partial class ExecutionService(
    ISqlClassifier classifier,
    PolicyEnforcer enforcer,
    TargetRegistry targets,
    SqlExecutor executor,
    AuditLog audit,
    ApprovalStore approvals,
    ApprovalNotifier approvalNotifier,
    ApprovalPreviewer previewer,
    IOptions<RoseOptions> options,
    ILogger<ExecutionService> logger)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Classification and decision only: what would happen, nothing run or audited.</summary>
    public (SqlBatch Batch, PolicyDecision Decision) Preview(string database, string sql, Policy.SqlPolicy policy)
    {
        Validate(database, sql);
        if ((RefusedCharacters.Describe("database", database) ?? RefusedCharacters.Describe("sql", sql)) is { } problem)
        {
            throw new ExecutionRequestException(problem);
        }

        var batch = classifier.Classify(sql);
        TargetEnvironment? environment = targets.TryGet(database, out var target) ? target.Definition.Environment : null;
        return (batch, enforcer.Evaluate(policy, database, environment, batch));
    }

    public async Task<ExecutionOutcome> ExecuteAsync(ExecutionRequest request, IRowSink? sink, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        Validate(request.Database, request.Sql);
        await RefuseBadCharactersAsync(request, ct);

        var batch = classifier.Classify(request.Sql);
        var known = targets.TryGet(request.Database, out var target);
        var decision = enforcer.Evaluate(request.Policy, request.Database, known ? target.Definition.Environment : null, batch);
        if (!known && decision.Decision != Decision.Deny)
        {
            decision = decision with { Decision = Decision.Deny, Reasons = [$"there is no target database named '{request.Database}'"] };
        }

        // An approved request runs what the approver saw; it still must not be denied by today's policy.
        var effective = decision.Decision == Decision.Approval && request.ApprovalId is not null ? Decision.Allow : decision.Decision;

        var attempt = new AuditAttempt(request.Executor, request.Channel, request.Database,
            request.Reason, request.Sql, decision.Operations, decision.Decision, decision.Reasons, request.ApprovalId,
            request.ApprovedBy);
        if (effective == Decision.Allow)
        {
            return await RunAsync(request, attempt, target, batch, decision, sink, ct);
        }

        var auditId = await audit.RecordAttemptAsync(attempt, ct);
        if (effective == Decision.Deny)
        {
            await audit.RecordOutcomeAsync(auditId, new AuditOutcome(AuditStatus.Denied), CancellationToken.None);
            return new ExecutionOutcome(OutcomeStatus.Denied, auditId, batch, decision);
        }

        if (effective == Decision.Approval)
        {
            var approvalId = await approvals.CreateAsync(new ApprovalDraft(request.Executor, request.Channel, request.Database,
                request.Reason, request.Sql, decision.Operations, decision.Reasons, auditId,
                TimeSpan.FromHours(options.Value.Approvals.ExpiryHours), request.Policy), ct);
            await audit.RecordOutcomeAsync(auditId, new AuditOutcome(AuditStatus.PendingApproval), CancellationToken.None);
            await AttachPreviewAsync(approvalId, target, batch, ct);
            await approvalNotifier.PublishAsync(approvalId, CancellationToken.None);
            return new ExecutionOutcome(OutcomeStatus.PendingApproval, auditId, batch, decision, ApprovalId: approvalId);
        }

        throw new InvalidOperationException($"Unhandled decision {effective}.");
    }

    /// <summary>
    /// An allowed batch: the attempt is written once the target transaction is open, with its id, and
    /// before any statement is sent (AuditRecovery resolves it with pg_xact_status after a crash). When
    /// the executor stops before reaching the target, the attempt is written after, with the failure.
    /// </summary>
    private async Task<ExecutionOutcome> RunAsync(ExecutionRequest request, AuditAttempt attempt, RegisteredTarget target,
        SqlBatch batch, PolicyDecision decision, IRowSink? sink, CancellationToken ct)
    {
        long? recorded = null;
        var limits = Limits(target.Definition, request);
        var result = await executor.ExecuteAsync(target, batch, limits, sink, ct,
            async (xid, token) => recorded = await audit.RecordAttemptAsync(attempt with { TargetXid = xid }, token));
        var auditId = recorded ?? await audit.RecordAttemptAsync(attempt, CancellationToken.None);
        var status = result.Status switch
        {
            ExecutionStatus.Succeeded => OutcomeStatus.Succeeded,
            ExecutionStatus.Cancelled => OutcomeStatus.Cancelled,
            _ => OutcomeStatus.Failed,
        };

        // The outcome is written even when the caller has gone away: the attempt must be closed.
        await CloseRunAsync(auditId, new AuditOutcome(
            status switch
            {
                OutcomeStatus.Succeeded => AuditStatus.Succeeded,
                OutcomeStatus.Cancelled => AuditStatus.Cancelled,
                _ => AuditStatus.Failed,
            },
            result.TotalRowsAffected,
            result.DurationMs,
            result.Error?.SqlState,
            result.Error?.Message,
            JsonSerializer.Serialize(result.Statements.Select(s => new
            {
                s.Index,
                s.Tag,
                s.RowsAffected,
                s.RowCount,
                s.Truncated,
                s.DurationMs,
                s.RanAlone,
            }), Json)));

        if (status == OutcomeStatus.Failed)
        {
            logger.LogInformation("Audit {AuditId}: {Database} failed with SQLSTATE {SqlState}", auditId, request.Database, result.Error?.SqlState);
        }

        return new ExecutionOutcome(status, auditId, batch, decision, result, request.ApprovalId);
    }

    /// <summary>
    /// The batch has run (or failed) on the target: the caller gets its result even when the control
    /// database is away now, because the attempt, written before the run, carries the target transaction
    /// id and AuditRecovery writes this outcome from pg_xact_status once the control database answers.
    /// </summary>
    private async Task CloseRunAsync(long auditId, AuditOutcome outcome)
    {
        try
        {
            await audit.RecordOutcomeAsync(auditId, outcome, CancellationToken.None);
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or TimeoutException or InvalidOperationException)
        {
            logger.LogWarning(ex, "Audit {AuditId}: the outcome ({Status}) could not be written; recovery will write it from the target", auditId, outcome.Status);
        }
    }

    /// <summary>A failed preview never loses the request: the approver sees that it is missing.</summary>
    private async Task AttachPreviewAsync(long approvalId, RegisteredTarget target, SqlBatch batch, CancellationToken ct)
    {
        try
        {
            var (preview, snapshot) = await previewer.ComputeAsync(approvalId, target, batch, ct);
            await approvals.SetPreviewAsync(approvalId, preview, snapshot, CancellationToken.None);
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or TimeoutException or AuditUnavailableException)
        {
            logger.LogWarning(ex, "No risk preview for approval {ApprovalId}", approvalId);
            await approvals.SetPreviewAsync(approvalId, JsonSerializer.Serialize(new { error = "The risk preview could not be computed." }), null, CancellationToken.None);
        }
    }

    private ExecutionLimits Limits(TargetDefinition target, ExecutionRequest request)
    {
        var max = target.MaxRows;
        if (request.Policy.MaxRows is { } policyMax)
        {
            max = Math.Min(max, policyMax);
        }

        if (request.MaxRows is { } asked and > 0)
        {
            max = Math.Min(max, asked);
        }

        return new ExecutionLimits(max, target.StatementTimeout, target.LockTimeout);
    }

    private void Validate(string database, string sql)
    {
        if (string.IsNullOrWhiteSpace(database))
        {
            throw new ExecutionRequestException("database is required.");
        }

        if (string.IsNullOrWhiteSpace(sql))
        {
            throw new ExecutionRequestException("sql is required and must hold at least one statement.");
        }

        var max = options.Value.Execution.MaxSqlLength;
        if (sql.Length > max)
        {
            throw new ExecutionRequestException($"sql is {sql.Length:N0} characters; the limit is {max:N0} (Rose:Execution:MaxSqlLength).");
        }
    }
}
