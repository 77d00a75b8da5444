using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
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
public sealed partial class ExecutionService
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly ISqlClassifier classifier;
    private readonly PolicyEnforcer enforcer;
    private readonly TargetRegistry targets;
    private readonly SqlExecutor executor;
    private readonly AuditedRuns runs;
    private readonly IApprovalParking parking;
    private readonly IOptions<RoseOptions> options;
    private readonly ILogger<ExecutionService> logger;

    /// <summary>Internal: it takes Execution's internal parts; hosts get the service from DI.</summary>
    internal ExecutionService(ISqlClassifier classifier, PolicyEnforcer enforcer, TargetRegistry targets, SqlExecutor executor,
        AuditedRuns runs, IApprovalParking parking, IOptions<RoseOptions> options, ILogger<ExecutionService> logger)
    {
        this.classifier = classifier;
        this.enforcer = enforcer;
        this.targets = targets;
        this.executor = executor;
        this.runs = runs;
        this.parking = parking;
        this.options = options;
        this.logger = logger;
    }

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

        if (effective == Decision.Deny)
        {
            var deniedId = await runs.RecordAsync(attempt, new AuditOutcome(AuditStatus.Denied), ct);
            return new ExecutionOutcome(OutcomeStatus.Denied, deniedId, batch, decision);
        }

        if (effective == Decision.Approval)
        {
            var (parkedId, approvalId) = await runs.RunAsync(attempt,
                run => parking.ParkAsync(new ParkedRequest(request, decision, run.AuditId), ct),
                _ => new AuditOutcome(AuditStatus.PendingApproval), ct);
            await parking.AnnounceAsync(approvalId, target, batch, ct);
            return new ExecutionOutcome(OutcomeStatus.PendingApproval, parkedId, batch, decision, ApprovalId: approvalId);
        }

        var limits = Limits(target.Definition, request);
        var (auditId, result) = await runs.RunAsync(attempt,
            _ => executor.ExecuteAsync(target, batch, limits, sink, ct), Outcome, ct);
        var status = Status(result);
        if (status == OutcomeStatus.Failed)
        {
            logger.LogInformation("Audit {AuditId}: {Database} failed with SQLSTATE {SqlState}", auditId, request.Database, result.Error?.SqlState);
        }

        return new ExecutionOutcome(status, auditId, batch, decision, result, request.ApprovalId);
    }

    private static OutcomeStatus Status(ExecutionResult result) => result.Status switch
    {
        ExecutionStatus.Succeeded => OutcomeStatus.Succeeded,
        ExecutionStatus.Cancelled => OutcomeStatus.Cancelled,
        _ => OutcomeStatus.Failed,
    };

    /// <summary>The outcome row of a batch that ran: its status, counts, timings and error, statement by statement.</summary>
    private static AuditOutcome Outcome(ExecutionResult result) => new(
        Status(result) switch
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
        }), Json));

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
