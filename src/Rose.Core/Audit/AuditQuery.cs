using System.Text;
using Npgsql;
using NpgsqlTypes;
using Rose.Core.Storage;

namespace Rose.Core.Audit;

/// <summary>Filters for browsing the audit log. Paging is keyset on id: pass the last id seen as Before.</summary>
public sealed record AuditFilter
{
    public int Limit { get; init; } = 50;
    public long? Before { get; init; }
    public string? Database { get; init; }
    public string? Executor { get; init; }
    public string? ExecutorKind { get; init; }
    public string? Channel { get; init; }
    public string? Status { get; init; }
    public string? Decision { get; init; }
    public string? Operation { get; init; }
    public string? Text { get; init; }
    public DateTimeOffset? From { get; init; }
    public DateTimeOffset? To { get; init; }
}

/// <summary>Reads audit entries newest first; id is the unique tie-breaker so pages never skip or repeat.</summary>
public sealed class AuditReader(ControlDatabase control)
{
    private const string Columns = """
        id, occurred_at, executor_id, executor_name, executor_kind, provider, channel, database_name, reason,
        sql_text, sql_length, sql_hash, operations, decision, decision_reasons, approval_id, approved_by,
        status, finished_at, rows_affected, duration_ms, error_sqlstate, error_message, statements::text
        """;

    public async Task<IReadOnlyList<AuditEntry>> QueryAsync(AuditFilter filter, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var sql = new StringBuilder($"SELECT {Columns} FROM rose.audit_entries WHERE true");
        await using var cmd = control.DataSource.CreateCommand();
        void Add(string clause, NpgsqlParameter p)
        {
            cmd.Parameters.Add(p);
            sql.Append(" AND ").Append(clause.Replace("$?", "$" + cmd.Parameters.Count, StringComparison.Ordinal));
        }

        if (filter.Before is { } before)
        {
            Add("id < $?", new NpgsqlParameter<long> { TypedValue = before });
        }

        if (!string.IsNullOrEmpty(filter.Database))
        {
            Add("database_name = $?", AuditLog.Text(filter.Database));
        }

        if (!string.IsNullOrEmpty(filter.Executor))
        {
            Add("(executor_id = $? OR executor_name = $?)", AuditLog.Text(filter.Executor));
        }

        if (!string.IsNullOrEmpty(filter.ExecutorKind))
        {
            Add("executor_kind = $?", AuditLog.Text(filter.ExecutorKind));
        }

        if (!string.IsNullOrEmpty(filter.Channel))
        {
            Add("channel = $?", AuditLog.Text(filter.Channel));
        }

        if (!string.IsNullOrEmpty(filter.Status))
        {
            Add("status = $?", AuditLog.Text(filter.Status));
        }

        if (!string.IsNullOrEmpty(filter.Decision))
        {
            Add("decision = $?", AuditLog.Text(filter.Decision));
        }

        if (!string.IsNullOrEmpty(filter.Operation))
        {
            Add("$? = ANY (operations)", AuditLog.Text(filter.Operation.ToUpperInvariant()));
        }

        if (!string.IsNullOrEmpty(filter.Text))
        {
            // Literal substring match: the user's % and _ are escaped, not wildcards.
            var like = "%" + filter.Text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%";
            Add("(sql_text ILIKE $? OR reason ILIKE $?)", AuditLog.Text(like));
        }

        if (filter.From is { } from)
        {
            Add("occurred_at >= $?", new NpgsqlParameter<DateTimeOffset> { TypedValue = from, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        }

        if (filter.To is { } to)
        {
            Add("occurred_at < $?", new NpgsqlParameter<DateTimeOffset> { TypedValue = to, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        }

        cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = Math.Clamp(filter.Limit, 1, 1000) });
        sql.Append(" ORDER BY id DESC LIMIT $").Append(cmd.Parameters.Count);
        cmd.CommandText = sql.ToString();

        var list = new List<AuditEntry>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            list.Add(Read(r));
        }

        return list;
    }

    public async Task<AuditEntry?> GetAsync(long id, CancellationToken ct)
    {
        await using var cmd = control.DataSource.CreateCommand($"SELECT {Columns} FROM rose.audit_entries WHERE id = $1");
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = id });
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? Read(r) : null;
    }

    private static AuditEntry Read(NpgsqlDataReader r) => new()
    {
        Id = r.GetInt64(0),
        OccurredAt = r.GetFieldValue<DateTimeOffset>(1),
        ExecutorId = r.GetString(2),
        ExecutorName = r.GetString(3),
        ExecutorKind = r.GetString(4),
        Provider = r.GetString(5),
        Channel = r.GetString(6),
        Database = r.GetString(7),
        Reason = r.IsDBNull(8) ? null : r.GetString(8),
        Sql = r.GetString(9),
        SqlLength = r.GetInt32(10),
        SqlHash = r.GetString(11),
        Operations = r.GetFieldValue<string[]>(12),
        Decision = r.GetString(13),
        DecisionReasons = r.GetFieldValue<string[]>(14),
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
