using Npgsql;
using Rose.Core.Devlogs;

namespace Rose.Core.Approvals;

/// <summary>The result of an approve or reject action.</summary>
public sealed record ApprovalActionResult(bool Done, string Message, ApprovalRequest? Request = null, ExecutionOutcome? Outcome = null);

/// <summary>
/// Approving and rejecting. Rules: only humans with the approver role decide (agents never, whatever
/// their policy); nobody decides their own request; expired requests cannot be approved; an approved
/// request runs exactly once, through the normal pipeline, with the SQL stored when it was parked,
/// inside the <see cref="IApprovedRunGuard"/> of its kind when one handles it.
/// </summary>
public sealed class ApprovalService
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly ApprovalStore store;
    private readonly ExecutionService execution;
    private readonly ApprovalNotifier notifier;
    private readonly DevlogStore devlogs;
    private readonly IEnumerable<IApprovedRunGuard> guards;
    private readonly ILogger<ApprovalService> logger;

    /// <summary>Internal: the guards it takes hand Execution's internal sessions around; hosts get the service from DI.</summary>
    internal ApprovalService(ApprovalStore store, ExecutionService execution, ApprovalNotifier notifier,
        DevlogStore devlogs, IEnumerable<IApprovedRunGuard> guards, ILogger<ApprovalService> logger)
    {
        this.store = store;
        this.execution = execution;
        this.notifier = notifier;
        this.devlogs = devlogs;
        this.guards = guards;
        this.logger = logger;
    }

    /// <param name="mayApprove">Whether the caller holds the approver (or admin) role; the adapter knows roles, Core does not.</param>
    public async Task<ApprovalActionResult> ApproveAsync(long id, Actor approver, bool mayApprove, string? comment, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(approver);
        var refusal = await CheckDecider(id, approver, mayApprove, ct);
        if (refusal is not null)
        {
            return refusal;
        }

        var claimed = await store.TryClaimForExecutionAsync(id, approver, comment, ct);
        if (claimed is null)
        {
            return await ExplainAsync(id, approver, ct);
        }

        await notifier.PublishAsync(id, ct);
        var policy = claimed.PolicyJson is null ? SqlPolicy.DenyAll : JsonSerializer.Deserialize<SqlPolicy>(claimed.PolicyJson) ?? SqlPolicy.DenyAll;

        // From here the request is ours alone: run the stored SQL, whatever the caller does next.
        var outcome = await RunClaimedAsync(claimed, approver, new ExecutionRequest(claimed.Requester(), Channel.Approval, claimed.Database,
            claimed.Sql, claimed.Reason, policy, ApprovalId: id, ApprovedBy: approver.Id));
        if (outcome.Result?.OutcomeUnknown == true)
        {
            // Whether it committed is unknown until AuditRecovery asks the target; it then completes the request.
            await notifier.PublishAsync(id, CancellationToken.None);
            return new ApprovalActionResult(true, "Approved and sent, but the target's answer to COMMIT was lost: whether it ran is "
                + "unknown until Rose can ask the target; the request is completed then.", await store.GetAsync(id, CancellationToken.None), outcome);
        }

        var status = outcome.Status == OutcomeStatus.Succeeded ? ApprovalStatus.Executed : ApprovalStatus.Failed;
        await store.CompleteAsync(id, status, outcome.AuditId, Summarise(outcome), CancellationToken.None);
        await notifier.PublishAsync(id, CancellationToken.None);
        await WriteDevlogAsync(claimed, approver, outcome);
        var message = status == ApprovalStatus.Executed
            ? "Approved and executed."
            : $"Approved, but it did not succeed: {outcome.Result?.Error?.Message ?? string.Join("; ", outcome.Reasons)}";
        return new ApprovalActionResult(true, message, await store.GetAsync(id, CancellationToken.None), outcome);
    }

    /// <summary>
    /// Runs the claimed request once, inside its guard when one handles it. A guard that could not set
    /// up the run (no lock, no snapshot) ran nothing: that is audited as a failed attempt, so the
    /// request still completes (failed, with the guard's message) instead of staying 'executing'.
    /// No caller token: a claimed request must reach its end even if the caller has gone away.
    /// </summary>
    private async Task<ExecutionOutcome> RunClaimedAsync(ApprovalRequest claimed, Actor approver, ExecutionRequest request)
    {
        var started = 0;
        Task<ExecutionOutcome> ExecuteOnce(TargetSession? session, CancellationToken token) => Interlocked.Exchange(ref started, 1) == 0
            ? execution.ExecuteAsync(request, null, session, token)
            : throw new InvalidOperationException($"Approval {claimed.Id} was already executed; an approved request runs once.");

        var guard = guards.FirstOrDefault(g => g.Handles(claimed));
        if (guard is null)
        {
            return await ExecuteOnce(null, CancellationToken.None);
        }

        try
        {
            return await guard.RunAsync(claimed, approver, ExecuteOnce, CancellationToken.None);
        }
        catch (ApprovedRunRefusedException ex) when (Volatile.Read(ref started) == 0)
        {
            logger.LogWarning(ex, "Approval {ApprovalId} was approved but not run: {Message}", claimed.Id, ex.Message);
            return await execution.RecordNotRunAsync(request, ex.Message, CancellationToken.None);
        }
    }

    public async Task<ApprovalActionResult> RejectAsync(long id, Actor approver, bool mayApprove, string? comment, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(approver);
        var refusal = await CheckDecider(id, approver, mayApprove, ct);
        if (refusal is not null)
        {
            return refusal;
        }

        if (!await store.TryRejectAsync(id, approver, comment, ct))
        {
            return await ExplainAsync(id, approver, ct);
        }

        await notifier.PublishAsync(id, ct);
        return new ApprovalActionResult(true, "Rejected.", await store.GetAsync(id, ct));
    }

    private static Task<ApprovalActionResult?> CheckDecider(long id, Actor approver, bool mayApprove, CancellationToken ct)
    {
        _ = id;
        _ = ct;
        if (approver.Kind != ActorKind.Human)
        {
            return Task.FromResult<ApprovalActionResult?>(new(false, "Agents can never approve or reject requests."));
        }

        return Task.FromResult<ApprovalActionResult?>(mayApprove ? null : new(false, "Only the approver and admin roles can decide requests."));
    }

    /// <summary>Why a conditional update did not take: the request's current state says it.</summary>
    private async Task<ApprovalActionResult> ExplainAsync(long id, Actor approver, CancellationToken ct)
    {
        var request = await store.GetAsync(id, ct);
        if (request is null)
        {
            return new(false, $"There is no approval request {id}.");
        }

        if (string.Equals(request.RequesterId, approver.Id, StringComparison.Ordinal))
        {
            return new(false, "You cannot decide your own request.", request);
        }

        if (request.IsExpired(DateTimeOffset.UtcNow) || request.Status == ApprovalStatus.Expired)
        {
            return new(false, "This request has expired and can no longer be approved.", request);
        }

        return new(false, $"This request is already {request.Status}{(request.DecidedByName is null ? "" : " by " + request.DecidedByName)}.", request);
    }

    /// <summary>
    /// The automatic devlog of an approved execution, linked to the execution's audit row. The SQL has
    /// already run by now, so a devlog that cannot be written is logged, never turned into a failure.
    /// </summary>
    private async Task WriteDevlogAsync(ApprovalRequest request, Actor approver, ExecutionOutcome outcome)
    {
        var status = outcome.Status.ToString().ToLowerInvariant();
        var rows = outcome.Result?.TotalRowsAffected;
        var metadata = JsonSerializer.Serialize(new
        {
            intent = request.Reason,
            sql = request.Sql,
            rows_affected = rows,
            status,
            approval_id = request.Id,
            approved_by = approver.Id,
            requested_by = request.RequesterId,
            database = request.Database,
            error = outcome.Result?.Error?.Message,
        }, Json);
        var content = $"Approval request #{request.Id} by {request.RequesterName} was approved by {approver.Name} and {status}"
            + (rows is null ? "." : $" ({rows} rows affected).")
            + (string.IsNullOrWhiteSpace(request.Reason) ? "" : "\n\nIntent: " + request.Reason);
        try
        {
            await devlogs.CreateAsync(new DevlogDraft(Actor.System("approvals"), request.Database, DevlogTypes.Approval,
                $"Approved execution #{request.Id} on {request.Database}: {status}", content, ["approval", status],
                metadata, outcome.AuditId), CancellationToken.None);
        }
        catch (Exception ex) when (ex is NpgsqlException or DatabaseException or DevlogValidationException or InvalidOperationException)
        {
            logger.LogError(ex, "Approval {ApprovalId} executed but its devlog could not be written", request.Id);
        }
    }

    private static string Summarise(ExecutionOutcome outcome) => JsonSerializer.Serialize(new
    {
        status = outcome.Status.ToString().ToLowerInvariant(),
        audit_id = outcome.AuditId,
        rows_affected = outcome.Result?.TotalRowsAffected,
        statements = outcome.Result?.Statements.Select(s => new { s.Index, s.Tag, s.RowsAffected }),
        error = outcome.Result?.Error is { } e ? new { e.SqlState, e.Message } : null,
        reasons = outcome.Status == OutcomeStatus.Denied ? outcome.Reasons : null,
    }, Json);
}
