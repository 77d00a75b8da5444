using Npgsql;
using NpgsqlTypes;
using Rose.Core.Audit;
using Rose.Core.Identity;

namespace Rose.Core.Approvals;

/// <summary>Decisions on approval requests. Each transition is one conditional UPDATE, so it happens once.</summary>
public sealed partial class ApprovalStore
{
    /// <summary>
    /// Moves a pending, unexpired request that someone else made to 'executing' and records the
    /// approver. Exactly one of any number of concurrent callers gets the row back.
    /// </summary>
    public async Task<ApprovalRequest?> TryClaimForExecutionAsync(long id, Executor approver, string? comment, CancellationToken ct)
    {
        await using var cmd = control.DataSource.CreateCommand($"""
            UPDATE rose.approvals
            SET status = 'executing', decided_by = $2, decided_by_name = $3, decided_at = now(), decision_comment = $4
            WHERE id = $1 AND status = 'pending' AND expires_at > now() AND requester_id <> $2
            RETURNING {Columns}
            """);
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = id });
        cmd.Parameters.Add(AuditLog.Text(approver.Id));
        cmd.Parameters.Add(AuditLog.Text(approver.Name));
        cmd.Parameters.Add(AuditLog.Text(comment));
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }

    public async Task<bool> TryRejectAsync(long id, Executor approver, string? comment, CancellationToken ct)
    {
        await using var cmd = control.DataSource.CreateCommand("""
            UPDATE rose.approvals
            SET status = 'rejected', decided_by = $2, decided_by_name = $3, decided_at = now(), decision_comment = $4
            WHERE id = $1 AND status = 'pending' AND requester_id <> $2
            """);
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = id });
        cmd.Parameters.Add(AuditLog.Text(approver.Id));
        cmd.Parameters.Add(AuditLog.Text(approver.Name));
        cmd.Parameters.Add(AuditLog.Text(comment));
        return await cmd.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>Records how the approved execution ended.</summary>
    public async Task CompleteAsync(long id, string status, long executionAuditId, string resultJson, CancellationToken ct)
    {
        await using var cmd = control.DataSource.CreateCommand("""
            UPDATE rose.approvals SET status = $2, execution_audit_id = $3, result = $4::jsonb
            WHERE id = $1 AND status = 'executing'
            """);
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = id });
        cmd.Parameters.Add(AuditLog.Text(status));
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = executionAuditId });
        cmd.Parameters.Add(AuditLog.Text(resultJson));
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Marks pending requests past their expiry as expired; returns their ids.</summary>
    public async Task<IReadOnlyList<long>> ExpireDueAsync(CancellationToken ct)
    {
        await using var cmd = control.DataSource.CreateCommand(
            "UPDATE rose.approvals SET status = 'expired' WHERE status = 'pending' AND expires_at <= now() RETURNING id");
        var ids = new List<long>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            ids.Add(reader.GetInt64(0));
        }

        return ids;
    }

    public async Task SetPreviewAsync(long id, string previewJson, string? targetSnapshotJson, CancellationToken ct)
    {
        await using var cmd = control.DataSource.CreateCommand(
            "UPDATE rose.approvals SET preview = $2::jsonb, target_snapshot = $3::jsonb WHERE id = $1");
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = id });
        cmd.Parameters.Add(AuditLog.Text(previewJson));
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)targetSnapshotJson ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
