using Rose.Core.Control.Queries;

namespace Rose.Core.Approvals;

/// <summary>Table rose.approvals: parked batches and their decisions.</summary>
public sealed partial class ApprovalStore(ControlDatabase control)
{
    /// <summary>Every column, in the order of <see cref="ApprovalRequest"/>'s parameters and aliased to them.</summary>
    private const string Columns = """
        id AS "Id", created_at AS "CreatedAt", expires_at AS "ExpiresAt", requester_id AS "RequesterId", requester_name AS "RequesterName",
        requester_kind AS "RequesterKind", channel AS "Channel", database_name AS "Database", reason AS "Reason", sql_text AS "Sql",
        sql_hash AS "SqlHash", operations AS "Operations", policy_reasons AS "PolicyReasons", preview::text AS "PreviewJson", status AS "Status",
        decided_by AS "DecidedBy", decided_by_name AS "DecidedByName", decided_at AS "DecidedAt", decision_comment AS "DecisionComment",
        request_audit_id AS "RequestAuditId", execution_audit_id AS "ExecutionAuditId", result::text AS "ResultJson", policy::text AS "PolicyJson",
        target_snapshot::text AS "TargetSnapshotJson"
        """;

    public Task<long> CreateAsync(ApprovalDraft draft, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(draft);
        const string sql = """
            INSERT INTO rose.approvals (expires_at, requester_id, requester_name, requester_kind, channel, database_name,
                reason, sql_text, sql_hash, operations, policy_reasons, request_audit_id, policy)
            VALUES (now() + $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb)
            RETURNING id
            """;
        return control.QuerySingleAsync<long>(sql, new(
            PgParam.Interval(draft.ExpiresAfter),
            PgParam.Text(draft.Requester.Id),
            PgParam.Text(draft.Requester.Name),
            PgParam.Text(draft.Requester.KindName),
            PgParam.Text(draft.Channel.ToString().ToLowerInvariant()),
            PgParam.Text(draft.Database),
            PgParam.Text(draft.Reason),
            PgParam.Text(draft.Sql),
            PgParam.Text(AuditHasher.Sha256Hex(draft.Sql)),
            PgParam.TextArray(draft.Operations),
            PgParam.TextArray(draft.PolicyReasons),
            PgParam.Long(draft.RequestAuditId),
            PgParam.Text(System.Text.Json.JsonSerializer.Serialize(draft.Policy))), ct);
    }

    public Task<ApprovalRequest?> GetAsync(long id, CancellationToken ct) =>
        control.QuerySingleOrDefaultAsync<ApprovalRequest>($"SELECT {Columns} FROM rose.approvals WHERE id = $1", new(PgParam.Long(id)), ct);

    /// <summary>Pending first, then decided ones; newest first within each, id as the tie-breaker.</summary>
    public Task<IReadOnlyList<ApprovalRequest>> ListAsync(string? status, int limit, CancellationToken ct) =>
        ListAsync(new ApprovalFilter { Status = status, Limit = limit }, ct);

    public Task<IReadOnlyList<ApprovalRequest>> ListAsync(ApprovalFilter filter, CancellationToken ct) =>
        DatabaseErrors.TranslateAsync(() => ListUntranslatedAsync(filter, ct));

    private Task<IReadOnlyList<ApprovalRequest>> ListUntranslatedAsync(ApprovalFilter filter, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(filter);
        return control.QueryAsync<ApprovalRequest>($"""
            SELECT {Columns} FROM rose.approvals
            WHERE ($1::text IS NULL OR status = $1)
              AND ($2::text IS NULL OR database_name = $2)
              AND ($3::text IS NULL OR requester_id = $3 OR requester_name = $3)
              AND ($4::boolean IS NULL OR (status = 'pending') = $4)
            ORDER BY (status = 'pending') DESC, created_at DESC, id DESC
            LIMIT $5
            """, new(PgParam.Text(filter.Status), PgParam.Text(filter.Database), PgParam.Text(filter.Requester), PgParam.Bool(filter.Pending),
            PgParam.Int(Math.Clamp(filter.Limit, 1, 1000))), ct);
    }
}
