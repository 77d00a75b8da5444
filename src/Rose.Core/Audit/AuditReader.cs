using System.Runtime.CompilerServices;
using Npgsql;
using Rose.Core.Storage;

namespace Rose.Core.Audit;

/// <summary>
/// Reads audit entries newest first. id is the only sort key and is unique, and ids are handed out
/// under the chain lock in commit order, so a keyset page never skips or repeats an entry while new
/// ones arrive (new entries only ever appear above the newest page).
/// </summary>
public sealed class AuditReader(ControlDatabase control)
{
    /// <summary>One page; without a cursor this is the newest page.</summary>
    public async Task<IReadOnlyList<AuditEntry>> QueryAsync(AuditFilter filter, CancellationToken ct) =>
        (await PageAsync(filter, ct)).Entries;

    /// <summary>One page with whether older and newer pages exist. After takes precedence over Before.</summary>
    public async Task<AuditPage> PageAsync(AuditFilter filter, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var limit = Math.Clamp(filter.Limit, 1, AuditFilter.MaxLimit);
        var towardsNewer = filter.After is not null;
        var effective = towardsNewer ? filter with { Before = null } : filter;

        await using var cmd = control.DataSource.CreateCommand();
        // One extra row says whether another page exists in the walking direction.
        AuditSql.Build(cmd, effective, limit + 1, ascending: towardsNewer);
        var list = new List<AuditEntry>(limit + 1);
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                list.Add(Read(r));
            }
        }

        var more = list.Count > limit;
        if (more)
        {
            list.RemoveAt(list.Count - 1);
        }

        if (towardsNewer)
        {
            list.Reverse();
            return new AuditPage(list, HasOlder: true, HasNewer: more);
        }

        return new AuditPage(list, HasOlder: more, HasNewer: filter.Before is not null);
    }

    /// <summary>
    /// Every matching entry, newest first, read off the server as it streams (for CSV export):
    /// nothing is buffered beyond Npgsql's network buffer.
    /// </summary>
    public async IAsyncEnumerable<AuditEntry> StreamAsync(AuditFilter filter, [EnumeratorCancellation] CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await using var conn = await control.DataSource.OpenConnectionAsync(ct);
        // One transaction gives the export a single snapshot: rows arriving mid-export are not half in.
        await using var tx = await conn.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        await using var cmd = new NpgsqlCommand { Connection = conn, Transaction = tx, CommandTimeout = 0 };
        AuditSql.Build(cmd, filter.WithoutCursor(), limit: null, ascending: false);
        await using var r = await cmd.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, ct);
        while (await r.ReadAsync(ct))
        {
            yield return Read(r);
        }
    }

    public async Task<AuditEntry?> GetAsync(long id, CancellationToken ct)
    {
        await using var cmd = control.DataSource.CreateCommand($"SELECT {AuditSql.Columns} {AuditSql.From} WHERE a.id = $1");
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = id });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? Read(r) : null;
    }

    /// <summary>The approval request an entry parked, if any (the parked row itself carries no approval_id).</summary>
    public async Task<long?> ParkedApprovalAsync(long auditId, CancellationToken ct)
    {
        await using var cmd = control.DataSource.CreateCommand(
            "SELECT id FROM rose.approvals WHERE request_audit_id = $1 ORDER BY id LIMIT 1");
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = auditId });
        return await cmd.ExecuteScalarAsync(ct) is long id ? id : null;
    }

    /// <summary>Devlogs written about an entry (e.g. the automatic one for an approved execution).</summary>
    public async Task<IReadOnlyList<(long Id, string Title)>> DevlogsForAsync(long auditId, CancellationToken ct)
    {
        await using var cmd = control.DataSource.CreateCommand(
            "SELECT id, title FROM rose.devlogs WHERE audit_id = $1 ORDER BY id LIMIT 20");
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = auditId });
        var list = new List<(long, string)>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            list.Add((r.GetInt64(0), r.GetString(1)));
        }

        return list;
    }

    /// <summary>Reads columns strictly in order so it also works under SequentialAccess.</summary>
    private static AuditEntry Read(NpgsqlDataReader r)
    {
        var id = r.GetInt64(0);
        var occurredAt = r.GetFieldValue<DateTimeOffset>(1);
        var executorId = r.GetString(2);
        var executorName = r.GetString(3);
        var executorKind = r.GetString(4);
        var provider = r.GetString(5);
        var channel = r.GetString(6);
        var database = r.GetString(7);
        var reason = r.IsDBNull(8) ? null : r.GetString(8);
        var sql = r.GetString(9);
        var sqlLength = r.GetInt32(10);
        var sqlHash = r.GetString(11);
        var operations = r.GetFieldValue<string[]>(12);
        var decision = r.GetString(13);
        var reasons = r.GetFieldValue<string[]>(14);
        return new AuditEntry
        {
            Id = id,
            OccurredAt = occurredAt,
            ExecutorId = executorId,
            ExecutorName = executorName,
            ExecutorKind = executorKind,
            Provider = provider,
            Channel = channel,
            Database = database,
            Reason = reason,
            Sql = sql,
            SqlLength = sqlLength,
            SqlHash = sqlHash,
            Operations = operations,
            Decision = decision,
            DecisionReasons = reasons,
            ApprovalId = r.IsDBNull(15) ? null : r.GetInt64(15),
            ApprovedBy = r.IsDBNull(16) ? null : r.GetString(16),
            Status = r.GetString(17),
            FinishedAt = r.IsDBNull(18) ? null : r.GetFieldValue<DateTimeOffset>(18),
            RowsAffected = r.IsDBNull(19) ? null : r.GetInt64(19),
            DurationMs = r.IsDBNull(20) ? null : r.GetDouble(20),
            ErrorSqlState = r.IsDBNull(21) ? null : r.GetString(21),
            ErrorMessage = r.IsDBNull(22) ? null : r.GetString(22),
            StatementsJson = r.IsDBNull(23) ? null : r.GetString(23),
        };
    }
}
