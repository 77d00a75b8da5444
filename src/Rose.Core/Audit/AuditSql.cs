using Npgsql;
using Rose.Core.Control.Queries;

namespace Rose.Core.Audit;

/// <summary>
/// Builds the audit browser's SELECT. It reads audit_log joined to audit_outcome directly rather than
/// the audit_entries view: the view's coalesce(status, 'running') hides the status column from the
/// outcome table's (status, audit_id) index, and every filter here is written so one index serves it.
/// </summary>
internal static class AuditSql
{
    /// <summary>The attempt's own columns (alias a), aliased to the <see cref="AuditAttemptRow"/> member each fills.</summary>
    public const string AttemptColumns = """
        a.id AS "Id", a.occurred_at AS "OccurredAt", a.executor_id AS "ExecutorId", a.executor_name AS "ExecutorName",
        a.executor_kind AS "ExecutorKind", a.provider AS "Provider", a.channel AS "Channel", a.database_name AS "Database",
        a.reason AS "Reason", a.sql_text AS "Sql", a.sql_length AS "SqlLength", a.sql_hash AS "SqlHash", a.operations AS "Operations",
        a.decision AS "Decision", a.decision_reasons AS "DecisionReasons", a.approval_id AS "ApprovalId", a.approved_by AS "ApprovedBy",
        a.target_xid AS "TargetXid"
        """;

    /// <summary>Every column of an entry, aliased to the <see cref="AuditEntry"/> member it fills.</summary>
    public const string Columns = AttemptColumns + ", " + """
        coalesce(o.status, 'running') AS "Status", o.finished_at AS "FinishedAt", o.rows_affected AS "RowsAffected",
        o.duration_ms AS "DurationMs", o.error_sqlstate AS "ErrorSqlState", o.error_message AS "ErrorMessage",
        o.statements::text AS "StatementsJson", coalesce(o.recovered, false) AS "Recovered"
        """;

    public const string From = "FROM rose.audit_log a LEFT JOIN rose.audit_outcome o ON o.audit_id = a.id";

    /// <summary>
    /// How far an attempt's occurred_at can trail a later id. occurred_at is taken before the chain lock
    /// is acquired, so ids follow time only up to the lock and connection waits, which time out within a
    /// minute; the margin is far wider so id bounds derived from times never cut off a matching row.
    /// </summary>
    public const string ClockSkewMargin = "interval '15 minutes'";

    /// <summary>
    /// The searchable text, case-folded when the row was written (control schema V263: lower(sql_text),
    /// a newline, lower(reason)); the trigram index audit_log_folded_trgm_idx is on this column.
    /// </summary>
    public const string SearchText = "a.search_folded";

    /// <summary>
    /// How many ids below the page start a text search walks by primary key before it asks the trigram
    /// index. A common term fills a page within the newest few thousand rows, and walking them is cheaper
    /// than the index scan (whose cost grows with how many rows hold the term's trigrams); a rare term
    /// walks this window, finds too few, and the index finds the rest. The walk compares the folded
    /// column with LIKE (~0.7 us a row, against ~5 us for ILIKE on both columns), so it can be wider.
    /// </summary>
    public const int DefaultTextWalkWindow = 30_000;

    /// <summary>
    /// Tiers a text page asks one by one at most (<see cref="AuditTextTiers"/>; 100 million ids at the production
    /// width). Older history is then searched in one query without an index, exactly but slowly, and the
    /// statement stays a bounded size to plan.
    /// </summary>
    public const int MaxTiersPerPage = 100;

    /// <summary>How much further than its first window a text walk goes on when that window held a page's share.</summary>
    private const int WalkOnFactor = 4;

    /// <summary>The share of a page (1 / this) the first window must hold to walk on: the rate it shows then fills a page in WalkOnFactor more windows.</summary>
    private const int WalkOnShare = WalkOnFactor + 1;

    /// <summary>
    /// The filtered query, its values added to parameters. ascending = walking towards newer rows (After).
    /// <paramref name="tiers"/> (the newest id and the tier width) lets a text page walk the newest rows and ask the tier
    /// indexes; without it the text filter is one query over every row it could match (exact, but no index serves it).
    /// <paramref name="idRange"/> ([From, To), export only) holds the query to one tier's ids, written as constants so
    /// that tier's partial index can serve it.
    /// </summary>
    public static string Build(PositionalParameters parameters, AuditFilter filter, int? limit, bool ascending, AuditTextSearchPlan? textPlan = null,
        AuditTextTierScope? tiers = null, (long From, long To)? idRange = null)
    {
        string Param(NpgsqlParameter p) => parameters.Add(p);
        var where = Conditions(filter, Param);
        var plan = textPlan ?? AuditTextSearchPlan.Default;
        var textWalkWindow = plan.WalkWindow;
        var (walkedText, indexedText) = TextConditions(filter, plan.IndexTerm, Param);
        var order = ascending ? " ORDER BY a.id ASC" : " ORDER BY a.id DESC";
        if (limit is not { } n)
        {
            var range = idRange is var (lo, hi) ? $" AND a.id >= {lo} AND a.id < {hi}" : string.Empty;
            return $"SELECT {Columns} {From} WHERE true{where}{indexedText}{range}{order}";
        }

        if (idRange is not null)
        {
            throw new ArgumentException("An id range is for an export (no limit); pages use the tier scope.", nameof(idRange));
        }

        // Pages select ids first (index-only where the filters allow), then fetch the wide rows for just
        // those ids: with all columns in the inner query the planner prefers plans that read far more heap.
        var limitParam = Param(PgParam.Int(n));
        // A text page without tiers (no caller passes none today) is one exact query that no tier index serves.
        var ids = Blank(filter.Text) is not null && tiers is { } scope
            ? TieredText(filter, scope, ascending, textWalkWindow, n, where + walkedText, where + indexedText, order, limitParam, Param)
            : $"SELECT a.id {From} WHERE true{where}{indexedText}{order} LIMIT {limitParam}";

        return $"SELECT {Columns} FROM ({ids}) page JOIN rose.audit_log a ON a.id = page.id "
            + $"LEFT JOIN rose.audit_outcome o ON o.audit_id = a.id{order} LIMIT {limitParam}";
    }

    /// <summary>
    /// A text page over the tier indexes. Newest first: the ids just below the page start are walked by primary
    /// key (a frequent term fills its page there or in the walk on; the walked condition is one no index serves,
    /// so the planner walks as asked), then each tier below, newest first, is asked for the rest with its range written as
    /// constants (the planner uses a partial index only for a query whose conditions imply its range; the tier
    /// bounds are integers computed here, never input). Towards newer rows: the tiers upwards from the cursor.
    /// A query runs only while the ones before it found less than a page (its gate is a one-time filter), every
    /// range is disjoint from the others, and the outer query orders by id, so the page is exactly what one
    /// query over all rows would return.
    /// </summary>
    private static string TieredText(AuditFilter filter, AuditTextTierScope scope, bool ascending, int walkWindow, int limit, string walkedWhere,
        string indexedWhere, string order, string limitParam, Func<NpgsqlParameter, string> param)
    {
        var ctes = new List<string>();
        var parts = new List<string>();
        string? found = null; // the CTE holding how many ids the queries so far found
        void Add(string name, string condition)
        {
            var gate = found is null ? string.Empty : $" AND (SELECT n FROM {found}) < {limitParam}";
            ctes.Add($"{name} AS MATERIALIZED (SELECT a.id {From} WHERE true{condition}{gate}{order} LIMIT {limitParam})");
            parts.Add($"SELECT id FROM {name}");
            var sum = found is null ? $"(SELECT count(*) FROM {name})" : $"(SELECT n FROM {found}) + (SELECT count(*) FROM {name})";
            ctes.Add($"{name}_n AS MATERIALIZED (SELECT {sum} AS n)");
            found = name + "_n";
        }

        var width = scope.TierWidth;
        if (!ascending)
        {
            // The walk covers [lo, start). If it found at least a fifth of a page, the term is frequent enough that
            // walking on through [lo2, lo) (four times as far) is expected to fill the page, which is cheaper than a
            // tier index whose candidates are all fetched before any is returned; otherwise the tiers cover that
            // range too. Both gates read the first walk's count alone, so exactly one of the two covers [lo2, lo).
            // A cursor past the newest id read means the same rows as none; one at or below zero, no rows. Held to
            // that range so the arithmetic below cannot overflow on an absurd cursor.
            var start = Math.Clamp(filter.Before ?? long.MaxValue, 0, scope.MaxId + 1);
            var lo = start - walkWindow;
            var lo2 = lo - (long)walkWindow * WalkOnFactor;
            var loParam = param(PgParam.Long(lo));
            var lo2Param = param(PgParam.Long(lo2));
            var walkOn = param(PgParam.Long(limit / WalkOnShare + 1));
            Add("recent", $"{walkedWhere} AND a.id >= {loParam}");
            Add("recent2", $"{walkedWhere} AND a.id >= {lo2Param} AND a.id < {loParam} AND (SELECT n FROM recent_n) >= {walkOn}");
            var walkedOn = $" AND (a.id < {lo2Param} OR (SELECT n FROM recent_n) < {walkOn})";
            var top = lo <= 0 ? -1 : AuditTextTiers.TierOf(lo - 1, width);
            var bottom = Math.Max(0, top - MaxTiersPerPage + 1);
            for (var tier = top; tier >= bottom; tier--)
            {
                Add($"t{tier}", $"{indexedWhere} AND a.id >= {tier * width} AND a.id < {(tier + 1) * width} AND a.id < {loParam}{walkedOn}");
            }

            if (top >= 0 && bottom > 0)
            {
                Add("older", $"{indexedWhere} AND a.id < {bottom * width}{walkedOn}");
            }
        }
        else
        {
            var first = AuditTextTiers.TierOf(Math.Clamp(filter.After ?? 0, 0, scope.MaxId) + 1, width);
            var last = Math.Max(first, AuditTextTiers.TierOf(scope.MaxId, width));
            var end = Math.Min(last, first + MaxTiersPerPage - 1);
            for (var tier = first; tier <= end; tier++)
            {
                Add($"t{tier}", $"{indexedWhere} AND a.id >= {tier * width} AND a.id < {(tier + 1) * width}");
            }

            // Rows past the newest id read (written since) or past the tiers asked: one more query, exact.
            Add("newer", $"{indexedWhere} AND a.id >= {(end + 1) * width}");
        }

        return $"WITH {string.Join(", ", ctes)} {string.Join(" UNION ALL ", parts)}";
    }

    /// <summary>
    /// The text filter, whose meaning is the plain test (a literal, case-insensitive substring of the SQL or
    /// the reason: "sql_text ILIKE p OR reason ILIKE p"). Both forms first compare the folded column with
    /// lower(p), which is how ILIKE itself compares and so holds for every row the plain test holds for,
    /// and only rows passing that get the plain test (which drops a term spanning the two parts).
    /// Indexed: the folded test as its own condition, which the trigram index serves. Walked: the same
    /// inside a CASE, which no index serves (so the planner walks the primary key as asked) and which
    /// fixes the order: the cheap LIKE first, ILIKE only on its matches.
    /// </summary>
    private static (string Walked, string Indexed) TextConditions(AuditFilter filter, string? indexTerm, Func<NpgsqlParameter, string> param)
    {
        if (Blank(filter.Text) is not { } text)
        {
            return (string.Empty, string.Empty);
        }

        var p = param(PgParam.Text("%" + EscapeLike(text) + "%"));
        var folded = $"{SearchText} LIKE lower({p})";
        var plain = $"(a.sql_text ILIKE {p} OR a.reason ILIKE {p})";
        var walked = $" AND CASE WHEN {folded} THEN {plain} ELSE false END";
        if (indexTerm is null)
        {
            return (walked, $" AND {folded} AND {plain}");
        }

        // The index is asked only for the chosen part of the term (AuditTextSearchPlan: a substring, so
        // every match of the term matches it); the whole term is rechecked inside the CASE, where the
        // planner cannot fold it into the index condition and make the scan decode all its trigrams again.
        var part = param(PgParam.Text("%" + EscapeLike(indexTerm) + "%"));
        return (walked, $" AND {SearchText} LIKE lower({part}){walked}");
    }

    private static string Conditions(AuditFilter filter, Func<NpgsqlParameter, string> param)
    {
        var sql = new StringBuilder();
        var status = Blank(filter.Status);
        if (filter.Before is { } before)
        {
            var p = param(PgParam.Long(before));
            sql.Append(" AND a.id < ").Append(p);
            // The planner does not carry inequalities across the join; repeat it so the status index range starts at the cursor.
            if (status is not null && status != AuditStatus.Running)
            {
                sql.Append(" AND o.audit_id < ").Append(p);
            }
        }

        if (filter.After is { } after)
        {
            var p = param(PgParam.Long(after));
            sql.Append(" AND a.id > ").Append(p);
            if (status is not null && status != AuditStatus.Running)
            {
                sql.Append(" AND o.audit_id > ").Append(p);
            }
        }

        Equal(sql, "a.database_name", filter.Database, param);
        Equal(sql, "a.executor_id", filter.Executor, param);
        Equal(sql, "a.executor_kind", filter.ExecutorKind?.ToLowerInvariant(), param);
        Equal(sql, "a.channel", filter.Channel?.ToLowerInvariant(), param);
        Equal(sql, "a.decision", filter.Decision?.ToLowerInvariant(), param);
        if (status == AuditStatus.Running)
        {
            sql.Append(" AND o.audit_id IS NULL");
        }
        else
        {
            // A plain equality on o.status turns the LEFT JOIN into an inner join the status index can drive.
            Equal(sql, "o.status", status?.ToLowerInvariant(), param);
        }

        if (Blank(filter.Operation) is { } operation)
        {
            sql.Append(" AND a.operations @> ARRAY[").Append(param(PgParam.Text(operation.Trim().ToUpperInvariant()))).Append("]::text[]");
        }

        // A time window also becomes an id window (one probe of the occurred_at index each side), so an
        // old window starts its id walk where the window is instead of scanning every newer row first.
        if (filter.From is { } from)
        {
            var p = param(PgParam.TimestampTz(from));
            sql.Append(" AND a.occurred_at >= ").Append(p).Append(" AND a.id > coalesce((SELECT x.id FROM rose.audit_log x WHERE x.occurred_at < ")
                .Append(p).Append(" - ").Append(ClockSkewMargin).Append(" ORDER BY x.occurred_at DESC, x.id DESC LIMIT 1), 0)");
        }

        if (filter.To is { } to)
        {
            var p = param(PgParam.TimestampTz(to));
            sql.Append(" AND a.occurred_at < ").Append(p).Append(" AND a.id < coalesce((SELECT x.id FROM rose.audit_log x WHERE x.occurred_at >= ")
                .Append(p).Append(" + ").Append(ClockSkewMargin).Append(" ORDER BY x.occurred_at ASC, x.id ASC LIMIT 1), 9223372036854775807)");
        }

        return sql.ToString();
    }

    /// <summary>The user's % and _ are literal characters, not wildcards.</summary>
    public static string EscapeLike(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static void Equal(StringBuilder sql, string column, string? value, Func<NpgsqlParameter, string> param)
    {
        if (Blank(value) is { } v)
        {
            sql.Append(" AND ").Append(column).Append(" = ").Append(param(PgParam.Text(v)));
        }
    }
}
