using Npgsql;
using Rose.Core.Storage;

namespace Rose.Core.Audit;

/// <summary>
/// Walks the audit chain in id order, recomputing each row's hash and its link to the row
/// before, and each outcome's hash against its attempt. Reports the first row that does not fit,
/// and counts attempts that never got an outcome.
/// </summary>
public sealed class AuditChainVerifier(ControlDatabase control)
{
    /// <summary>Longer than any execution may run (statement timeouts, migration runs), so a live execution is never counted.</summary>
    public static readonly TimeSpan DefaultOutcomeGrace = TimeSpan.FromHours(1);

    public Task<AuditChainReport> VerifyAsync(long? fromId, long? toId, CancellationToken ct) =>
        VerifyAsync(fromId, toId, DefaultOutcomeGrace, ct);

    /// <param name="outcomeGrace">How old an attempt without outcome must be to count as unfinished.</param>
    public async Task<AuditChainReport> VerifyAsync(long? fromId, long? toId, TimeSpan outcomeGrace, CancellationToken ct)
    {
        await using var conn = await control.DataSource.OpenConnectionAsync(ct);
        var expectedPrev = AuditHasher.Genesis;
        if (fromId is > 1)
        {
            await using var prevCmd = new NpgsqlCommand("SELECT row_hash FROM rose.audit_log WHERE id < $1 ORDER BY id DESC LIMIT 1", conn);
            prevCmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = fromId.Value });
            expectedPrev = (await prevCmd.ExecuteScalarAsync(ct)) as string ?? AuditHasher.Genesis;
        }

        const string sql = """
            SELECT a.id, a.occurred_at, a.executor_id, a.executor_name, a.executor_kind, a.provider, a.channel,
                   a.database_name, a.reason, a.sql_text, a.sql_length, a.sql_hash, a.operations, a.decision,
                   a.decision_reasons, a.approval_id, a.approved_by, a.prev_hash, a.row_hash,
                   o.status, o.rows_affected, o.error_sqlstate, o.error_message, o.outcome_hash
            FROM rose.audit_log a LEFT JOIN rose.audit_outcome o ON o.audit_id = a.id
            WHERE a.id >= $1 AND a.id <= $2
            ORDER BY a.id
            """;
        await using var cmd = new NpgsqlCommand(sql, conn);
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = fromId ?? 0 });
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = toId ?? long.MaxValue });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        long checkedRows = 0;
        long unfinished = 0;
        long? firstUnfinished = null;
        var graceLimit = DateTime.UtcNow - outcomeGrace;
        while (await r.ReadAsync(ct))
        {
            var id = r.GetInt64(0);
            var prev = r.GetString(17);
            var stored = r.GetString(18);
            if (!string.Equals(prev, expectedPrev, StringComparison.Ordinal))
            {
                return new(false, checkedRows, id, $"row {id} does not link to the row before it (deleted or reordered rows)");
            }

            var recomputed = AuditHasher.RowHash(prev, DateTime.SpecifyKind(r.GetDateTime(1), DateTimeKind.Utc),
                r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), r.GetString(6), r.GetString(7),
                r.IsDBNull(8) ? null : r.GetString(8), r.GetString(9), r.GetInt32(10), r.GetString(11),
                r.GetFieldValue<string[]>(12), r.GetString(13), r.GetFieldValue<string[]>(14),
                r.IsDBNull(15) ? null : r.GetInt64(15), r.IsDBNull(16) ? null : r.GetString(16));
            if (!string.Equals(recomputed, stored, StringComparison.Ordinal))
            {
                return new(false, checkedRows, id, $"row {id} was altered: its content no longer matches its hash");
            }

            if (r.IsDBNull(19))
            {
                if (DateTime.SpecifyKind(r.GetDateTime(1), DateTimeKind.Utc) <= graceLimit)
                {
                    unfinished++;
                    firstUnfinished ??= id;
                }
            }
            else
            {
                var outcomeHash = AuditHasher.OutcomeHash(stored, id, r.GetString(19), r.IsDBNull(20) ? null : r.GetInt64(20),
                    r.IsDBNull(21) ? null : r.GetString(21), r.IsDBNull(22) ? null : r.GetString(22));
                if (!string.Equals(outcomeHash, r.GetString(23), StringComparison.Ordinal))
                {
                    return new(false, checkedRows, id, $"the outcome of row {id} was altered");
                }
            }

            expectedPrev = stored;
            checkedRows++;
        }

        return new(true, checkedRows, null, null, unfinished, firstUnfinished);
    }
}
