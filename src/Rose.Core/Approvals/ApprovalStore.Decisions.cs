using Rose.Core.Control.Queries;

namespace Rose.Core.Approvals;

/// <summary>Decisions on approval requests. Each transition is one conditional UPDATE, so it happens once.</summary>
public sealed partial class ApprovalStore
{
    /// <summary>
    /// Moves a pending, unexpired request that someone else made to 'executing' and records the
    /// approver. Exactly one of any number of concurrent callers gets the row back.
    /// </summary>
    public Task<ApprovalRequest?> TryClaimForExecutionAsync(long id, Actor approver, string? comment, CancellationToken ct) =>
        control.QuerySingleOrDefaultAsync<ApprovalRequest>($"""
            UPDATE rose.approvals
            SET status = 'executing', decided_by = $2, decided_by_name = $3, decided_at = now(), decision_comment = $4
            WHERE id = $1 AND status = 'pending' AND expires_at > now() AND requester_id <> $2
            RETURNING {Columns}
            """, new(PgParam.Long(id), PgParam.Text(approver.Id), PgParam.Text(approver.Name), PgParam.Text(comment)), ct);

    public async Task<bool> TryRejectAsync(long id, Actor approver, string? comment, CancellationToken ct) =>
        await control.ExecuteAsync("""
            UPDATE rose.approvals
            SET status = 'rejected', decided_by = $2, decided_by_name = $3, decided_at = now(), decision_comment = $4
            WHERE id = $1 AND status = 'pending' AND requester_id <> $2
            """, new(PgParam.Long(id), PgParam.Text(approver.Id), PgParam.Text(approver.Name), PgParam.Text(comment)), ct) == 1;

    /// <summary>Records how the approved execution ended.</summary>
    public async Task CompleteAsync(long id, string status, long executionAuditId, string resultJson, CancellationToken ct) =>
        await control.ExecuteAsync("""
            UPDATE rose.approvals SET status = $2, execution_audit_id = $3, result = $4::jsonb
            WHERE id = $1 AND status = 'executing'
            """, new(PgParam.Long(id), PgParam.Text(status), PgParam.Long(executionAuditId), PgParam.Text(resultJson)), ct);

    /// <summary>
    /// Completes a request left 'executing' by a console that died during its approved run, from the
    /// outcome recovery wrote for the run's attempt (the target transaction's fate): executed when it
    /// committed, failed otherwise (rolled back, or unknown: an approver must look before trying again).
    /// False when the request was no longer executing (its own console finished it).
    /// </summary>
    public async Task<bool> CompleteRecoveredAsync(long id, long executionAuditId, string outcomeStatus, string? message, CancellationToken ct) =>
        await control.ExecuteAsync("""
            UPDATE rose.approvals
            SET status = CASE WHEN $3 = 'succeeded' THEN 'executed' ELSE 'failed' END, execution_audit_id = $2,
                result = jsonb_build_object('status', $3, 'audit_id', $2, 'recovered', true, 'error', jsonb_build_object('message', $4))
            WHERE id = $1 AND status = 'executing'
            """, new(PgParam.Long(id), PgParam.Long(executionAuditId), PgParam.Text(outcomeStatus), PgParam.Text(message)), ct) == 1;

    /// <summary>Marks pending requests past their expiry as expired; returns their ids.</summary>
    public Task<IReadOnlyList<long>> ExpireDueAsync(CancellationToken ct) =>
        control.QueryAsync<long>("UPDATE rose.approvals SET status = 'expired' WHERE status = 'pending' AND expires_at <= now() RETURNING id", null, ct);

    public async Task SetPreviewAsync(long id, string previewJson, string? targetSnapshotJson, CancellationToken ct) =>
        await control.ExecuteAsync("UPDATE rose.approvals SET preview = $2::jsonb, target_snapshot = $3::jsonb WHERE id = $1",
            new(PgParam.Long(id), PgParam.Text(previewJson), PgParam.Text(targetSnapshotJson)), ct);
}
