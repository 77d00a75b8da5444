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

    /// <summary>
    /// How far an attempt's occurred_at can trail a later id. occurred_at is taken before the chain lock
    /// is acquired, so ids follow time only up to the lock and connection waits, which time out within a
    /// minute; the margin is far wider so id bounds derived from times never cut off a matching row.
    /// </summary>
    public const string ClockSkewMargin = "interval '15 minutes'";

    /// <summary>Fills cmd with the filtered query. ascending = walking towards newer rows (After).</summary>
    public static void Build(NpgsqlCommand cmd, AuditFilter filter, int? limit, bool ascending)
    {
        // Pages select ids first (index-only where the filters allow), then fetch the wide rows for just
        // those ids: with all columns in the inner query the planner prefers plans that read far more heap.
        var sql = new StringBuilder(limit is null ? $"SELECT {Columns} {From} WHERE true" : $"SELECT a.id {From} WHERE true");
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

        // A time window also becomes an id window (one probe of the occurred_at index each side), so an
        // old window starts its id walk where the window is instead of scanning every newer row first.
        if (filter.From is { } from)
        {
            var p = Param(new NpgsqlParameter<DateTimeOffset> { TypedValue = from.ToUniversalTime(), NpgsqlDbType = NpgsqlDbType.TimestampTz });
            sql.Append(" AND a.occurred_at >= ").Append(p).Append(" AND a.id > coalesce((SELECT x.id FROM rose.audit_log x WHERE x.occurred_at < ")
                .Append(p).Append(" - ").Append(ClockSkewMargin).Append(" ORDER BY x.occurred_at DESC, x.id DESC LIMIT 1), 0)");
        }

        if (filter.To is { } to)
        {
            var p = Param(new NpgsqlParameter<DateTimeOffset> { TypedValue = to.ToUniversalTime(), NpgsqlDbType = NpgsqlDbType.TimestampTz });
            sql.Append(" AND a.occurred_at < ").Append(p).Append(" AND a.id < coalesce((SELECT x.id FROM rose.audit_log x WHERE x.occurred_at >= ")
                .Append(p).Append(" + ").Append(ClockSkewMargin).Append(" ORDER BY x.occurred_at ASC, x.id ASC LIMIT 1), 9223372036854775807)");
        }

        var order = ascending ? " ORDER BY a.id ASC" : " ORDER BY a.id DESC";
        sql.Append(order);
        if (limit is { } n)
        {
            sql.Append(" LIMIT ").Append(Param(new NpgsqlParameter<int> { TypedValue = n }));
            sql.Insert(0, "SELECT " + Columns + " FROM (").Append(") page JOIN rose.audit_log a ON a.id = page.id LEFT JOIN rose.audit_outcome o ON o.audit_id = a.id").Append(order);
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
