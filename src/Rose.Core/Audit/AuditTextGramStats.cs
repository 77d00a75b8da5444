using Npgsql;
using Rose.Core.Control.Queries;

namespace Rose.Core.Audit;

/// <summary>
/// The sampled frequencies of a term's three-character sequences (control schema V264), read for one
/// search, and the refresh that samples them. <see cref="TotalRows"/> is the planner's row estimate of
/// audit_log (pg_class.reltuples), enough to turn a frequency into a candidate count.
/// </summary>
internal sealed record AuditTextGramStats(int SampledRows, double TotalRows, IReadOnlyDictionary<string, int> PerMillion)
{
    /// <summary>Transaction advisory lock key of a refresh ('rose' 'grms' as two ASCII words).</summary>
    public const long AdvisoryLockKey = 0x726F7365_67726D73;

    /// <summary>Rows a refresh samples: resolves frequencies down to ~1 in 10,000 and takes seconds.</summary>
    public const int SampleRows = 10_000;

    /// <summary>Only the first characters of a long statement are sampled; enough to rank sequences, bounded work.</summary>
    private const int SampledChars = 2_000;

    /// <summary>
    /// What a text search reads before its own query, in one round trip: the statistics for the term's
    /// sequences (null before the first refresh) and the newest id, which fixes the tiers it asks.
    /// </summary>
    public static async Task<AuditTextSearchInputs> ForTermAsync(ControlDatabase control, string term, CancellationToken ct) =>
        Parse(term, await control.QuerySingleAsync<InputsRow>(InputsSql, Parameters(term), ct));

    /// <summary>The same inside a transaction (an export's snapshot: the newest id is the snapshot's).</summary>
    public static async Task<AuditTextSearchInputs> ForTermAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string term, CancellationToken ct) =>
        Parse(term, (await ControlQueries.QueryAsync<InputsRow>(conn, tx, InputsSql, Parameters(term), ct)).Single());

    // One row whether or not a refresh has run yet (the LEFT JOIN): the newest id is needed either way.
    private const string InputsSql = """
        SELECT (SELECT coalesce(max(id), 0) FROM rose.audit_log) AS "MaxId",
               r.sampled_rows AS "SampledRows", greatest(c.reltuples, 0)::float8 AS "TotalRows",
               coalesce((SELECT string_agg(g.gram || ':' || g.per_million, ' ') FROM rose.audit_text_grams g WHERE g.gram = ANY($1)), '') AS "Grams"
        FROM pg_class c LEFT JOIN rose.audit_text_gram_refresh r ON true
        WHERE c.oid = 'rose.audit_log'::regclass
        """;

    private static PositionalParameters Parameters(string term) => new(PgParam.TextArray(AuditTextSearchPlan.TermGrams(term)));

    private static AuditTextSearchInputs Parse(string term, InputsRow row)
    {
        if (row.SampledRows is not { } sampled)
        {
            return new(term, null, row.MaxId);
        }

        var perMillion = new Dictionary<string, int>(StringComparer.Ordinal);
        // "gram:per_million" separated by spaces (a gram is three letters or digits).
        foreach (var entry in row.Grams.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = entry.LastIndexOf(':');
            perMillion[entry[..colon]] = int.Parse(entry[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        }

        return new(term, new(sampled, row.TotalRows, perMillion), row.MaxId);
    }

    /// <summary>
    /// Replaces the statistics with a fresh sample: pages picked at random (TABLESAMPLE SYSTEM) until about
    /// <see cref="SampleRows"/> rows, every distinct lower-case letter/digit sequence of three counted
    /// once per row. One transaction, so a search sees the old figures or the new ones; consoles sharing the
    /// control database take turns (a transaction advisory lock), and figures younger than
    /// <paramref name="olderThan"/> are kept. Returns the rows sampled, or null when nothing was refreshed.
    /// </summary>
    public static async Task<int?> RefreshAsync(ControlDatabase control, TimeSpan olderThan, CancellationToken ct)
    {
        await using var conn = await control.DataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var due = (await ControlQueries.QueryAsync<bool>(conn, tx, """
            SELECT pg_try_advisory_xact_lock($1)
               AND NOT EXISTS (SELECT 1 FROM rose.audit_text_gram_refresh WHERE refreshed_at > now() - $2::interval)
            """, new(PgParam.Long(AdvisoryLockKey), PgParam.Interval(olderThan)), ct)).Single();
        if (!due)
        {
            return null;
        }

        var estimate = (await ControlQueries.QueryAsync<double>(conn, tx,
            "SELECT greatest(reltuples, 0)::float8 FROM pg_class WHERE oid = 'rose.audit_log'::regclass", null, ct)).Single();
        // Never analysed (or tiny): sample everything; otherwise a share of pages that yields ~SampleRows.
        var percent = estimate < SampleRows * 2 ? 100.0 : Math.Max(0.0001, 100.0 * SampleRows * 1.5 / estimate);
        await ControlQueries.ExecuteAsync(conn, tx, "DELETE FROM rose.audit_text_grams", null, ct);
        var sampled = (await ControlQueries.QueryAsync<int>(conn, tx, $$"""
            WITH sample AS MATERIALIZED (
                SELECT a.id, left(a.search_folded, {{SampledChars}}) AS f FROM rose.audit_log a TABLESAMPLE SYSTEM ($1::real) LIMIT {{SampleRows}}),
            counted AS (
                INSERT INTO rose.audit_text_grams (gram, per_million)
                SELECT x.gram, (count(*) * 1000000 / (SELECT count(*) FROM sample))::int
                FROM (SELECT DISTINCT s.id, substr(s.f, i, 3) AS gram FROM sample s, generate_series(1, length(s.f) - 2) i) x
                WHERE x.gram ~ '^[a-z0-9]{3}$'
                GROUP BY x.gram
                RETURNING 1)
            SELECT count(*)::int FROM sample, (SELECT count(*) FROM counted) c
            """, new(PgParam.Double(percent)), ct)).Single();
        await ControlQueries.ExecuteAsync(conn, tx, """
            INSERT INTO rose.audit_text_gram_refresh (singleton, sampled_rows, refreshed_at) VALUES (true, $1, now())
            ON CONFLICT (singleton) DO UPDATE SET sampled_rows = EXCLUDED.sampled_rows, refreshed_at = EXCLUDED.refreshed_at
            """, new(PgParam.Int(sampled)), ct);
        await tx.CommitAsync(ct);
        return sampled;
    }

    private sealed record InputsRow(long MaxId, int? SampledRows, double TotalRows, string Grams);
}
