namespace Rose.Core.Execution;

/// <summary>
/// The one pipeline every path goes through: classify with the real parser, decide with the
/// policy enforcer, write the audit row (fail closed), then run, deny, or park for approval,
/// and record the outcome.
/// </summary>
public sealed partial class ExecutionService
{
    private readonly ISqlClassifier classifier;
    private readonly PolicyEnforcer enforcer;
    private readonly TargetRegistry targets;
    private readonly SqlExecutor executor;
    private readonly AuditedRuns runs;
    private readonly IApprovalParking parking;
    private readonly Undo.PriorBackups priorBackups;
    private readonly IOptions<RoseOptions> options;
    private readonly ILogger<ExecutionService> logger;

    /// <summary>Internal: it takes Execution's internal parts; hosts get the service from DI.</summary>
    internal ExecutionService(ISqlClassifier classifier, PolicyEnforcer enforcer, TargetRegistry targets, SqlExecutor executor,
        AuditedRuns runs, IApprovalParking parking, Undo.PriorBackups priorBackups, IOptions<RoseOptions> options, ILogger<ExecutionService> logger)
    {
        this.classifier = classifier;
        this.enforcer = enforcer;
        this.targets = targets;
        this.executor = executor;
        this.runs = runs;
        this.parking = parking;
        this.priorBackups = priorBackups;
        this.options = options;
        this.logger = logger;
    }

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

    public Task<ExecutionOutcome> ExecuteAsync(ExecutionRequest request, IRowSink? sink, CancellationToken ct) =>
        ExecuteAsync(request, sink, null, ct);

    /// <param name="session">
    /// A held session of the request's target to run on (an approved migration run, on the session that
    /// holds the migration lock), or null for a pooled connection. Everything else is the same pipeline.
    /// </param>
    internal async Task<ExecutionOutcome> ExecuteAsync(ExecutionRequest request, IRowSink? sink, TargetSession? session, CancellationToken ct)
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

        // A destructive statement whose prior backup cannot be promised parks or is denied instead.
        var backupGate = priorBackups.Gate(known ? target.Definition : null, batch, decision, request.ApprovalId);
        decision = backupGate.Decision;

        // An approved request runs what the approver saw; it still must not be denied by today's policy.
        var effective = decision.Decision == Decision.Approval && request.ApprovalId is not null ? Decision.Allow : decision.Decision;

        var attempt = new AuditAttempt(request.Executor, request.Channel, request.Database,
            request.Reason, request.Sql, decision.Operations, decision.Decision, decision.Reasons, request.ApprovalId,
            request.ApprovedBy);
        if (effective == Decision.Allow)
        {
            return await RunAsync(request, attempt, target, batch, decision, backupGate, sink, session, ct);
        }

        if (effective == Decision.Deny)
        {
            var deniedId = await runs.RecordAsync(attempt, new AuditOutcome(AuditStatus.Denied), ct);
            return new ExecutionOutcome(OutcomeStatus.Denied, deniedId, batch, decision);
        }

        if (effective == Decision.Approval)
        {
            var parked = runs.Begin(attempt);
            await parked.OpenAsync(targetXid: null, ct);
            return await ParkAsync(request, decision, parked, target, batch, ct);
        }

        throw new InvalidOperationException($"Unhandled decision {effective}.");
    }

    /// <summary>
    /// An allowed batch, in the <see cref="HookedAttempt"/> bracket: the attempt is written once the target
    /// transaction is open, with its id, and before any statement is sent (AuditRecovery resolves it with
    /// pg_xact_status after a crash). When the executor stops before reaching the target, the attempt is
    /// written after, with the failure. The prior backup (when one is promised) is named after the
    /// attempt, so it learns the id there too.
    /// </summary>
    private async Task<ExecutionOutcome> RunAsync(ExecutionRequest request, AuditAttempt attempt, RegisteredTarget target,
        SqlBatch batch, PolicyDecision decision, Undo.PriorBackupGate backupGate, IRowSink? sink, TargetSession? session, CancellationToken ct)
    {
        var run = runs.Begin(attempt);
        var limits = Limits(target.Definition, request);
        var backup = priorBackups.Start(backupGate);
        ExecutionResult result;
        try
        {
            result = await executor.ExecuteAsync(target, batch, limits, sink, ct, backup, async (xid, token) =>
            {
                var auditId = await run.OpenAsync(xid, token);
                backup?.Attach(auditId);
            }, session);
        }
        catch (Undo.PriorBackupException ex)
        {
            await run.OpenedAsync();
            return await WithoutBackupAsync(request, decision, run, target, batch, ex, ct);
        }

        var auditId = await run.OpenedAsync();
        await priorBackups.RecordAsync(auditId, request.Database, backup, result);
        var status = result.Status switch
        {
            ExecutionStatus.Succeeded => OutcomeStatus.Succeeded,
            ExecutionStatus.Cancelled => OutcomeStatus.Cancelled,
            _ => OutcomeStatus.Failed,
        };

        if (result.OutcomeUnknown)
        {
            // The COMMIT went unanswered: only the target knows whether it landed. The attempt carries the
            // transaction id, so AuditRecovery writes the outcome from pg_xact_status; a guess here would be final.
            run.LeaveToRecovery();
            logger.LogWarning("Audit {AuditId}: the COMMIT on {Database} went unanswered; the outcome is left to recovery", auditId, request.Database);
            return new ExecutionOutcome(OutcomeStatus.Failed, auditId, batch, decision, result, request.ApprovalId);
        }

        // The outcome is written even when the caller has gone away: the attempt must be closed.
        await CloseRunAsync(run, new AuditOutcome(
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
                Backups = Undo.PriorBackups.TablesOf(backup, s.Index),
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
    private async Task CloseRunAsync(HookedAttempt run, AuditOutcome outcome)
    {
        try
        {
            // A success is queued (group commit, off the caller's path); a failure or a cancel is written before
            // the caller hears of it, so whoever looks at the log for why something failed finds it there.
            await (outcome.Status == AuditStatus.Succeeded ? run.CloseLaterAsync(outcome) : run.CloseAsync(outcome));
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or TimeoutException or InvalidOperationException)
        {
            logger.LogWarning(ex, "Audit {AuditId}: the outcome ({Status}) could not be written; recovery will write it from the target", run.Id, outcome.Status);
        }
    }

    /// <summary>Parks the request for a person (its attempt is written), then closes the attempt as pending approval.</summary>
    private async Task<ExecutionOutcome> ParkAsync(ExecutionRequest request, PolicyDecision decision, HookedAttempt run, RegisteredTarget target,
        SqlBatch batch, CancellationToken ct)
    {
        var approvalId = await parking.ParkAsync(new ParkedRequest(request, decision, run.Id), ct);
        await run.CloseAsync(new AuditOutcome(AuditStatus.PendingApproval));
        await parking.AnnounceAsync(approvalId, target, batch, ct);
        return new ExecutionOutcome(OutcomeStatus.PendingApproval, run.Id, batch, decision, ApprovalId: approvalId);
    }

    /// <summary>The promised prior backup was not taken, so nothing ran: park or deny (refused backup), or fail.</summary>
    private async Task<ExecutionOutcome> WithoutBackupAsync(ExecutionRequest request, PolicyDecision decision, HookedAttempt run,
        RegisteredTarget target, SqlBatch batch, Undo.PriorBackupException ex, CancellationToken ct)
    {
        if (ex is Undo.PriorBackupRefusedException && request.ApprovalId is null)
        {
            var stricter = priorBackups.Escalate(decision, "no prior backup: " + ex.Message);
            if (stricter.Decision == Decision.Approval)
            {
                return await ParkAsync(request, stricter, run, target, batch, ct);
            }

            await run.CloseAsync(new AuditOutcome(AuditStatus.Denied, ErrorMessage: ex.Message));
            return new ExecutionOutcome(OutcomeStatus.Denied, run.Id, batch, stricter);
        }

        // A database error while copying (a lock timeout on the table, say) keeps its own SQLSTATE: the caller
        // retries a 55P03 differently from a backup Rose could not plan (55000, object_not_in_prerequisite_state).
        var sqlState = (ex.InnerException as Npgsql.PostgresException)?.SqlState ?? "55000";
        var result = new ExecutionResult { Status = ExecutionStatus.Failed, Error = new SqlError(sqlState, ex.Message) };
        await run.CloseAsync(new AuditOutcome(AuditStatus.Failed, ErrorSqlState: sqlState, ErrorMessage: ex.Message));
        return new ExecutionOutcome(OutcomeStatus.Failed, run.Id, batch, decision, result, request.ApprovalId);
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
