using Npgsql;
using NpgsqlTypes;
using Rose.Core.Audit;
using Rose.Core.Storage;

namespace Rose.Core.Approvals;

/// <summary>Table rose.approvals: parked batches and their decisions.</summary>
public sealed partial class ApprovalStore(ControlDatabase control)
{
    private const string Columns = """
        id, created_at, expires_at, requester_id, requester_name, requester_kind, channel, database_name, reason,
        sql_text, sql_hash, operations, policy_reasons, preview::text, status, decided_by, decided_by_name,
        decided_at, decision_comment, request_audit_id, execution_audit_id, result::text, policy::text, target_snapshot::text
        """;

    public async Task<long> CreateAsync(ApprovalDraft draft, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(draft);
        const string sql = """
            INSERT INTO rose.approvals (expires_at, requester_id, requester_name, requester_kind, channel, database_name,
                reason, sql_text, sql_hash, operations, policy_reasons, request_audit_id, policy)
            VALUES (now() + $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb)
            RETURNING id
            """;
        await using var cmd = control.DataSource.CreateCommand(sql);
        cmd.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = draft.ExpiresAfter, NpgsqlDbType = NpgsqlDbType.Interval });
        cmd.Parameters.Add(AuditLog.Text(draft.Requester.Id));
        cmd.Parameters.Add(AuditLog.Text(draft.Requester.Name));
        cmd.Parameters.Add(AuditLog.Text(draft.Requester.KindName));
        cmd.Parameters.Add(AuditLog.Text(draft.Channel.ToString().ToLowerInvariant()));
        cmd.Parameters.Add(AuditLog.Text(draft.Database));
        cmd.Parameters.Add(AuditLog.Text(draft.Reason));
        cmd.Parameters.Add(AuditLog.Text(draft.Sql));
        cmd.Parameters.Add(AuditLog.Text(AuditHasher.Sha256Hex(draft.Sql)));
        cmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. draft.Operations] });
        cmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. draft.PolicyReasons] });
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = draft.RequestAuditId });
        cmd.Parameters.Add(AuditLog.Text(System.Text.Json.JsonSerializer.Serialize(draft.Policy)));
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    public async Task<ApprovalRequest?> GetAsync(long id, CancellationToken ct)
    {
        await using var cmd = control.DataSource.CreateCommand($"SELECT {Columns} FROM rose.approvals WHERE id = $1");
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = id });
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }

    /// <summary>Pending first, then decided ones; newest first within each, id as the tie-breaker.</summary>
    public Task<IReadOnlyList<ApprovalRequest>> ListAsync(string? status, int limit, CancellationToken ct) =>
        ListAsync(new ApprovalFilter { Status = status, Limit = limit }, ct);

    public async Task<IReadOnlyList<ApprovalRequest>> ListAsync(ApprovalFilter filter, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await using var cmd = control.DataSource.CreateCommand($"""
            SELECT {Columns} FROM rose.approvals
            WHERE ($1::text IS NULL OR status = $1)
              AND ($2::text IS NULL OR database_name = $2)
              AND ($3::text IS NULL OR requester_id = $3 OR requester_name = $3)
              AND ($4::boolean IS NULL OR (status = 'pending') = $4)
            ORDER BY (status = 'pending') DESC, created_at DESC, id DESC
            LIMIT $5
            """);
        cmd.Parameters.Add(AuditLog.Text(filter.Status));
        cmd.Parameters.Add(AuditLog.Text(filter.Database));
        cmd.Parameters.Add(AuditLog.Text(filter.Requester));
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)filter.Pending ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Boolean });
        cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = Math.Clamp(filter.Limit, 1, 1000) });
        var list = new List<ApprovalRequest>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            list.Add(Read(reader));
        }

        return list;
    }

    internal static ApprovalRequest Read(NpgsqlDataReader r) => new()
    {
        Id = r.GetInt64(0),
        CreatedAt = r.GetFieldValue<DateTimeOffset>(1),
        ExpiresAt = r.GetFieldValue<DateTimeOffset>(2),
        RequesterId = r.GetString(3),
        RequesterName = r.GetString(4),
        RequesterKind = r.GetString(5),
        Channel = r.GetString(6),
        Database = r.GetString(7),
        Reason = r.IsDBNull(8) ? null : r.GetString(8),
        Sql = r.GetString(9),
        SqlHash = r.GetString(10),
        Operations = r.GetFieldValue<string[]>(11),
        PolicyReasons = r.GetFieldValue<string[]>(12),
        PreviewJson = r.IsDBNull(13) ? null : r.GetString(13),
        Status = r.GetString(14),
        DecidedBy = r.IsDBNull(15) ? null : r.GetString(15),
        DecidedByName = r.IsDBNull(16) ? null : r.GetString(16),
        DecidedAt = r.IsDBNull(17) ? null : r.GetFieldValue<DateTimeOffset>(17),
        DecisionComment = r.IsDBNull(18) ? null : r.GetString(18),
        RequestAuditId = r.IsDBNull(19) ? null : r.GetInt64(19),
        ExecutionAuditId = r.IsDBNull(20) ? null : r.GetInt64(20),
        ResultJson = r.IsDBNull(21) ? null : r.GetString(21),
        PolicyJson = r.IsDBNull(22) ? null : r.GetString(22),
        TargetSnapshotJson = r.IsDBNull(23) ? null : r.GetString(23),
    };
}
