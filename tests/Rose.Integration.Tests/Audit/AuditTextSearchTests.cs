using Rose.Core.Audit;
using Rose.Core.Control;
using Rose.Core.Identity;
using Rose.Core.Policy;

namespace Rose.Integration.Tests.Audit;

/// <summary>
/// Audit text search (control schema V263: a stored case-folded copy of sql_text and reason compared with
/// LIKE, one trigram index on it; ids walked first, then the index) returns exactly what the plain
/// "sql_text ILIKE '%term%' OR reason ILIKE '%term%'" returns: every page, with the index and after it is
/// dropped, whichever side of the walk/index switch the matches fall on.
/// </summary>
[Collection("postgres")]
public sealed class AuditTextSearchTests(PostgresServerFixture pg) : PipelineTest(pg)
{
    protected override async Task SeedAsync()
    {
        var audit = Harness.Services.GetRequiredService<AuditLog>();
        // Rows the product writes (hash-chained), in a fixed order so ids interleave matches and misses.
        string?[][] rows =
        [
            ["SELECT id, total FROM orders_17 WHERE customer_id = 4242", "ticket RT-4242 nightly"],
            ["SELECT id FROM orders_170 WHERE x = 1", null],
            ["INSERT INTO events_3 (kind) VALUES ('k1')", "ticket RT-14242 nightly"],
            ["UPDATE accounts SET note = '50% off' WHERE id = 1", "cleanup_job"],
            ["SELECT 'Grüße aus Köln' AS greeting", "Unicode ÄÖÜ check"],
            ["SELECT 1 AS abc", "def"],
            ["DELETE FROM sessions WHERE expires_at < now()", "ORDERS_17 report"],
            ["SELECT * FROM cleanupXjob", "weekly"],
            ["SELECT id FROM orders_17 WHERE customer_id = 7", ""],
            ["SELECT 'line one\nline two'", "multi\nline reason"],
            ["COPY t FROM 'C:\\Temp\\load_17.csv'", "ΟΔΥΣΣΕΥΣ import"],
            ["SELECT 17 AS n", "İstanbul office"],
        ];
        for (var round = 0; round < 4; round++)
        {
            foreach (var row in rows)
            {
                await audit.RecordAttemptAsync(new AuditAttempt(PipelineHarness.Alice, Channel.Api, "t", row[1], row[0]!, ["SELECT"],
                    Decision.Allow, []), CancellationToken.None);
            }
        }
    }

    // Terms that hit one column, the other, both, neither; case; literal % and _; unicode; a term that only
    // exists across the joint of the indexed expression ("abc" + newline + "def") must not match.
    private static readonly string[] Terms =
        ["orders_17 ", "ORDERS_17", "rt-4242 ", "RT-4242", "50%", "cleanup_job", "grüße", "äöü", "line two", "1 AS abc\ndef", "abc\nd", "zzz-none", "k",
         "17", "%", "_", "\\temp\\", "c:\\", "οδυσσευσ", "ΣΣΕ", "istanbul", "i̇stanbul", "GRÜSSE"];

    [Fact]
    public async Task Search_EveryPageMatchesThePlainFilter_WithAndWithoutTheIndex()
    {
        Assert.True(await Harness.ControlScalarAsync<bool>("SELECT to_regclass('rose.audit_log_folded_trgm_idx') IS NOT NULL"));
        Assert.True(await Harness.ControlScalarAsync<bool>(
            "SELECT to_regclass('rose.audit_log_text_trgm_idx') IS NULL AND to_regclass('rose.audit_log_sql_trgm_idx') IS NULL AND to_regclass('rose.audit_log_reason_trgm_idx') IS NULL"));

        var withIndex = await AllPagesAsync();
        foreach (var (key, ids) in withIndex)
        {
            Assert.Equal(await ExpectedAsync(key.Term), ids);
        }

        Assert.Contains(withIndex, kv => kv.Value.Count > 5); // some term really pages
        Assert.Empty(withIndex[(Terms[10], 1)]);          // across the joint: no match

        // With gram statistics (V264) the index is asked only for a term's rarest word and the walk window
        // follows the estimate; the pages must not change. The log is tiny, so every term with a word of
        // three letters or digits takes the rare-word plan.
        var control = Harness.Services.GetRequiredService<ControlDatabase>();
        Assert.Equal(48, await AuditTextGramStats.RefreshAsync(control, TimeSpan.Zero, CancellationToken.None));
        Assert.Null(await AuditTextGramStats.RefreshAsync(control, TimeSpan.FromHours(1), CancellationToken.None)); // still fresh
        var stats = await AuditTextGramStats.ForTermAsync(control, "RT-4242 ", CancellationToken.None);
        Assert.Equal(new AuditTextSearchPlan(AuditTextSearchPlan.RareWalkWindow, "4242 "), AuditTextSearchPlan.Choose("RT-4242 ", stats));
        Assert.Equal(Flatten(withIndex), Flatten(await AllPagesAsync()));
        foreach (var (key, ids) in await AllPagesAsync(windows: [null]))
        {
            Assert.Equal(await ExpectedAsync(key.Term), ids);
        }

        await Harness.ControlScalarAsync<int>("DROP INDEX rose.audit_log_folded_trgm_idx");
        var withoutIndex = await AllPagesAsync();
        Assert.Equal(Flatten(withIndex), Flatten(withoutIndex));

        // An external control database without contrib: no pg_trgm at all. The statistics refresh needs none,
        // and search reads rows instead, with the same pages.
        await Harness.ControlScalarAsync<int>("DROP EXTENSION pg_trgm CASCADE");
        Assert.Equal(48, await AuditTextGramStats.RefreshAsync(control, TimeSpan.Zero, CancellationToken.None));
        Assert.Equal(Flatten(withIndex), Flatten(await AllPagesAsync()));

        var report = await Harness.Services.GetRequiredService<AuditChainVerifier>().VerifyAsync(null, null, CancellationToken.None);
        Assert.True(report.Valid, report.Problem);
        Assert.Equal(48, report.RowsChecked);
    }

    [Fact]
    public async Task SearchText_IsTheIndexedExpression()
    {
        // The text filter AuditSql writes must be on the column V263 indexed, or the index is never used.
        await using var conn = await Harness.Runtime.Control.DataSource.OpenConnectionAsync();
        // A handful of rows: only with a sequential scan priced out does the plan show the index can serve it.
        await SqlScript.ExecuteAsync(conn, null, "SET enable_seqscan = off", CancellationToken.None);
        await using var cmd = new NpgsqlCommand($"EXPLAIN SELECT a.id FROM rose.audit_log a WHERE {AuditSql.SearchText} LIKE lower($1)", conn);
        cmd.Parameters.Add(new NpgsqlParameter { Value = "%orders\\_17%" });
        var plan = new List<string>();
        await using (var reader = await cmd.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                plan.Add(reader.GetString(0));
            }
        }

        Assert.Contains(plan, line => line.Contains("audit_log_folded_trgm_idx", StringComparison.Ordinal));
    }

    /// <summary>Every page of every term, for walk windows that put the switch before, inside and past the matches.</summary>
    private async Task<Dictionary<(string Term, int Window), List<long>>> AllPagesAsync(int?[]? windows = null)
    {
        var control = Harness.Services.GetRequiredService<ControlDatabase>();
        var result = new Dictionary<(string, int), List<long>>();
        foreach (var window in windows ?? [1, 7, 1000])
        {
            var reader = new AuditReader(control) { TextWalkWindow = window };
            foreach (var term in Terms)
            {
                var ids = new List<long>();
                var filter = new AuditFilter { Text = term, Limit = 3 };
                while (true)
                {
                    var page = await reader.PageAsync(filter, CancellationToken.None);
                    ids.AddRange(page.Entries.Select(e => e.Id));
                    if (!page.HasOlder)
                    {
                        break;
                    }

                    filter = filter with { Before = page.OldestId };
                }

                result[(term, window ?? 1000)] = ids;
            }
        }

        return result;
    }

    private static List<string> Flatten(Dictionary<(string Term, int Window), List<long>> pages) =>
        [.. pages.Select(kv => $"{kv.Key.Term}|{kv.Key.Window}: {string.Join(',', kv.Value)}").Order(StringComparer.Ordinal)];

    private async Task<List<long>> ExpectedAsync(string term)
    {
        await using var conn = await Harness.Runtime.Control.DataSource.OpenConnectionAsync();
        await using var cmd = new NpgsqlCommand(
            "SELECT id FROM rose.audit_log WHERE sql_text ILIKE $1 OR reason ILIKE $1 ORDER BY id DESC", conn);
        cmd.Parameters.Add(new NpgsqlParameter { Value = "%" + AuditSql.EscapeLike(term.Trim()) + "%" });
        var ids = new List<long>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetInt64(0));
        }

        return ids;
    }
}
