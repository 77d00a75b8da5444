using System.Text;
using Npgsql;
using NpgsqlTypes;

namespace Rose.Core.Audit;

/// <summary>
/// Builds the audit browser's SELECT. It reads audit_log joined to audit_outcome directly rather than
/// the audit_entries view: the view's coalesce(status, 'running') hides the status column from the
/// outcome table's (status, audit_id) index, and every filter here is written so one index serves it.
/// </summary>
internal static class AuditSql
{
    public const string Columns = """
        a.id, a.occurred_at, a.executor_id, a.executor_name, a.executor_kind, a.provider, a.channel, a.database_name,
        a.reason, a.sql_text, a.sql_length, a.sql_hash, a.operations, a.decision, a.decision_reasons, a.approval_id,
        a.approved_by, coalesce(o.status, 'running'), o.finished_at, o.rows_affected, o.duration_ms, o.error_sqlstate,
        o.error_message, o.statements::text
        """;

    public const string From = "FROM rose.audit_log a LEFT JOIN rose.audit_outcome o ON o.audit_id = a.id";

    /// <summary>Fills cmd with the filtered query. ascending = walking towards newer rows (After).</summary>
    public static void Build(NpgsqlCommand cmd, AuditFilter filter, int? limit, bool ascending)
    {
        var sql = new StringBuilder($"SELECT {Columns} {From} WHERE true");
        string Param(NpgsqlParameter p)
        {
            cmd.Parameters.Add(p);
            return "$" + cmd.Parameters.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var status = Blank(filter.Status);
        if (filter.Before is { } before)
        {
            var p = Param(new NpgsqlParameter<long> { TypedValue = before });
            sql.Append(" AND a.id < ").Append(p);
            // The planner does not carry inequalities across the join; repeat it so the status index range starts at the cursor.
            if (status is not null && status != AuditStatus.Running)
            {
                sql.Append(" AND o.audit_id < ").Append(p);
            }
        }

        if (filter.After is { } after)
        {
            var p = Param(new NpgsqlParameter<long> { TypedValue = after });
            sql.Append(" AND a.id > ").Append(p);
            if (status is not null && status != AuditStatus.Running)
            {
                sql.Append(" AND o.audit_id > ").Append(p);
            }
        }

        Equal(sql, "a.database_name", filter.Database, Param);
        Equal(sql, "a.executor_id", filter.Executor, Param);
        Equal(sql, "a.executor_kind", filter.ExecutorKind?.ToLowerInvariant(), Param);
        Equal(sql, "a.channel", filter.Channel?.ToLowerInvariant(), Param);
        Equal(sql, "a.decision", filter.Decision?.ToLowerInvariant(), Param);
        if (status == AuditStatus.Running)
        {
            sql.Append(" AND o.audit_id IS NULL");
        }
        else
        {
            // A plain equality on o.status turns the LEFT JOIN into an inner join the status index can drive.
            Equal(sql, "o.status", status?.ToLowerInvariant(), Param);
        }

        if (Blank(filter.Operation) is { } operation)
        {
            sql.Append(" AND a.operations @> ARRAY[").Append(Param(AuditLog.Text(operation.Trim().ToUpperInvariant()))).Append("]::text[]");
        }

        if (Blank(filter.Text) is { } text)
        {
            var p = Param(AuditLog.Text("%" + EscapeLike(text) + "%"));
            sql.Append(" AND (a.sql_text ILIKE ").Append(p).Append(" OR a.reason ILIKE ").Append(p).Append(')');
        }

        if (filter.From is { } from)
        {
            sql.Append(" AND a.occurred_at >= ").Append(Param(new NpgsqlParameter<DateTimeOffset> { TypedValue = from.ToUniversalTime(), NpgsqlDbType = NpgsqlDbType.TimestampTz }));
        }

        if (filter.To is { } to)
        {
            sql.Append(" AND a.occurred_at < ").Append(Param(new NpgsqlParameter<DateTimeOffset> { TypedValue = to.ToUniversalTime(), NpgsqlDbType = NpgsqlDbType.TimestampTz }));
        }

        sql.Append(ascending ? " ORDER BY a.id ASC" : " ORDER BY a.id DESC");
        if (limit is { } n)
        {
            sql.Append(" LIMIT ").Append(Param(new NpgsqlParameter<int> { TypedValue = n }));
        }

        cmd.CommandText = sql.ToString();
    }

    /// <summary>The user's % and _ are literal characters, not wildcards.</summary>
    public static string EscapeLike(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static void Equal(StringBuilder sql, string column, string? value, Func<NpgsqlParameter, string> param)
    {
        if (Blank(value) is { } v)
        {
            sql.Append(" AND ").Append(column).Append(" = ").Append(param(AuditLog.Text(v)));
        }
    }
}
