using Rose.Core.Audit;
using Rose.Core.Control;
using Rose.Core.Identity;
using Rose.Core.Policy;

namespace Rose.Integration.Tests.Audit;

/// <summary>
/// Audit text search (control schema V263: a stored case-folded copy of sql_text and reason compared with
/// LIKE; V266: one trigram index per range of ids; ids walked first, then the tiers) returns exactly what the
/// plain "sql_text ILIKE '%term%' OR reason ILIKE '%term%'" returns: every page in both directions, with the
/// tier indexes, with tiers of five ids (so pages cross many), and after they are dropped, whichever side of
/// the walk/index switch the matches fall on.
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
        var control = Harness.Services.GetRequiredService<ControlDatabase>();
        Assert.True(await Harness.ControlScalarAsync<bool>(
            "SELECT to_regclass('rose.audit_log_text_w1000000_t0') IS NOT NULL AND to_regclass('rose.audit_log_text_w1000000_t1') IS NOT NULL"));
        Assert.True(await Harness.ControlScalarAsync<bool>(
            "SELECT to_regclass('rose.audit_log_folded_trgm_idx') IS NULL AND to_regclass('rose.audit_log_text_trgm_idx') IS NULL AND to_regclass('rose.audit_log_sql_trgm_idx') IS NULL"));
        Assert.Equal(0, await AuditTextTiers.EnsureAsync(control, AuditTextTiers.Width, CancellationToken.None, waitForOthers: true)); // V266 built them

        // Tiers of five ids: 48 rows span ten, and the keeper's pass builds one more past the newest. (These calls wait
        // for the host's own keeper should its pass be running; the keeper itself skips when another console is at it.)
        Assert.Equal(11, await AuditTextTiers.EnsureAsync(control, 5, CancellationToken.None, waitForOthers: true));
        Assert.Equal(0, await AuditTextTiers.EnsureAsync(control, 5, CancellationToken.None, waitForOthers: true));
        Assert.Equal(11, await Harness.ControlScalarAsync<long>(
            "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname LIKE 'audit\\_log\\_text\\_w5\\_t%' AND i.indisvalid"));

        var withIndex = await AllPagesAsync();
        foreach (var (key, ids) in withIndex)
        {
            Assert.Equal(await ExpectedAsync(key.Term), ids);
        }

        Assert.Contains(withIndex, kv => kv.Value.Count > 5); // some term really pages
        Assert.Null((await AuditTextGramStats.ForTermAsync(control, "RT-4242 ", CancellationToken.None)).Stats); // no refresh yet
        await ExportsMatchAsync(); // without statistics: one query per export

        // Cursors past either end (the API takes any long): the same rows as no cursor, or none, never an error.
        var reader = new AuditReader(control) { TextTierWidth = 5 };
        var newest = (await reader.PageAsync(new AuditFilter { Text = "17", Limit = 3 }, CancellationToken.None)).Entries.Select(e => e.Id).ToList();
        Assert.Equal(withIndex[("17", 1000, 5)].Take(3), newest);
        Assert.Equal(newest, (await reader.PageAsync(new AuditFilter { Text = "17", Limit = 3, Before = long.MaxValue }, CancellationToken.None)).Entries.Select(e => e.Id));
        Assert.Empty((await reader.PageAsync(new AuditFilter { Text = "17", Limit = 3, Before = long.MinValue }, CancellationToken.None)).Entries);
        Assert.Empty((await reader.PageAsync(new AuditFilter { Text = "17", Limit = 3, After = long.MaxValue }, CancellationToken.None)).Entries);
        Assert.Equal(withIndex[("17", 1000, 5)].TakeLast(3),
            (await reader.PageAsync(new AuditFilter { Text = "17", Limit = 3, After = long.MinValue }, CancellationToken.None)).Entries.Select(e => e.Id));
        Assert.Empty(withIndex[(Terms[10], 1, AuditTextTiers.Width)]); // across the joint: no match

        // With gram statistics (V264) the index is asked only for a term's rarest word and the walk window
        // follows the estimate; the pages must not change. The log is tiny, so every term with a word of
        // three letters or digits takes the rare-word plan.
        Assert.Equal(48, await AuditTextGramStats.RefreshAsync(control, TimeSpan.Zero, CancellationToken.None));
        Assert.Null(await AuditTextGramStats.RefreshAsync(control, TimeSpan.FromHours(1), CancellationToken.None)); // still fresh
        var inputs = await AuditTextGramStats.ForTermAsync(control, "RT-4242 ", CancellationToken.None);
        Assert.Equal(await Harness.ControlScalarAsync<long>("SELECT max(id) FROM rose.audit_log"), inputs.MaxId);
        var stats = inputs.Stats;
        Assert.Equal(new AuditTextSearchPlan(AuditTextSearchPlan.RareWalkWindow, "4242 "), AuditTextSearchPlan.Choose("RT-4242 ", stats));
        Assert.Equal(Flatten(withIndex), Flatten(await AllPagesAsync()));
        foreach (var (key, ids) in await AllPagesAsync(windows: [null]))
        {
            Assert.Equal(await ExpectedAsync(key.Term), ids);
        }

        await ExportsMatchAsync(); // a rare word: one query per tier, newest first

        // An interrupted concurrent build leaves an invalid index: the next pass replaces it.
        await Harness.ControlScalarAsync<int>("UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'rose.audit_log_text_w5_t3'::regclass");
        Assert.Equal(1, await AuditTextTiers.EnsureAsync(control, 5, CancellationToken.None, waitForOthers: true));
        Assert.True(await Harness.ControlScalarAsync<bool>("SELECT indisvalid FROM pg_index WHERE indexrelid = 'rose.audit_log_text_w5_t3'::regclass"));

        await Harness.ControlScalarAsync<int>("""
            DO $$ DECLARE r record; BEGIN
              FOR r IN SELECT indexname FROM pg_indexes WHERE schemaname = 'rose' AND indexname LIKE 'audit\_log\_text\_w%' LOOP
                EXECUTE format('DROP INDEX rose.%I', r.indexname);
              END LOOP; END $$
            """);
        var withoutIndex = await AllPagesAsync();
        Assert.Equal(Flatten(withIndex), Flatten(withoutIndex));
        await ExportsMatchAsync();

        // An external control database without contrib: no pg_trgm at all. The statistics refresh needs none,
        // the keeper builds nothing, and search reads rows instead, with the same pages.
        await Harness.ControlScalarAsync<int>("DROP EXTENSION pg_trgm CASCADE");
        Assert.Null(await AuditTextTiers.EnsureAsync(control, AuditTextTiers.Width, CancellationToken.None, waitForOthers: true));
        Assert.Equal(48, await AuditTextGramStats.RefreshAsync(control, TimeSpan.Zero, CancellationToken.None));
        Assert.Equal(Flatten(withIndex), Flatten(await AllPagesAsync()));
        await ExportsMatchAsync();

        var report = await Harness.Services.GetRequiredService<AuditChainVerifier>().VerifyAsync(null, null, CancellationToken.None);
        Assert.True(report.Valid, report.Problem);
        Assert.Equal(48, report.RowsChecked);
    }

    [Fact]
    public async Task SearchText_IsTheIndexedExpression()
    {
        // The text filter AuditSql writes must be on the column V263 folded and V266 indexed, and a tier's
        // range written as AuditSql writes it must imply the tier index's predicate, or the index is never used.
        await using var conn = await Harness.Runtime.Control.DataSource.OpenConnectionAsync();
        // A handful of rows: the primary key or a browse index on (x, id) would win, so every index but the tiers is
        // hidden from the planner for this one EXPLAIN (an index marked invalid is never planned with; the
        // transaction rolls the mark back) and a sequential scan priced out; the plan then shows whether the tier
        // index can serve the query at all.
        await using var tx = await conn.BeginTransactionAsync();
        await SqlScript.ExecuteAsync(conn, tx,
            "SET LOCAL enable_seqscan = off; UPDATE pg_index SET indisvalid = false WHERE indrelid = 'rose.audit_log'::regclass AND indexrelid NOT IN (SELECT oid FROM pg_class WHERE relname LIKE 'audit\\_log\\_text\\_w%')",
            CancellationToken.None);
        await using var cmd = new NpgsqlCommand(
            $"EXPLAIN SELECT a.id FROM rose.audit_log a WHERE {AuditSql.SearchText} LIKE lower($1) AND a.id >= 1000000 AND a.id < 2000000 AND a.id < $2", conn, tx);
        cmd.Parameters.Add(new NpgsqlParameter { Value = "%orders\\_17%" });
        cmd.Parameters.Add(new NpgsqlParameter { Value = 1_500_000L });
        var plan = new List<string>();
        await using (var reader = await cmd.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                plan.Add(reader.GetString(0));
            }
        }

        Assert.True(plan.Any(line => line.Contains("audit_log_text_w1000000_t1", StringComparison.Ordinal)), string.Join("\n", plan));
    }

    /// <summary>
    /// Every page of every term, for walk windows that put the switch before, inside and past the matches, and
    /// tier widths of 1,000,000 (one tier) and 5 (ten): newest first, then again towards newer rows from the
    /// oldest (reversed, so both directions must give the same list).
    /// </summary>
    private async Task<Dictionary<(string Term, int Window, long Width), List<long>>> AllPagesAsync(int?[]? windows = null)
    {
        var control = Harness.Services.GetRequiredService<ControlDatabase>();
        var result = new Dictionary<(string, int, long), List<long>>();
        foreach (var width in new[] { AuditTextTiers.Width, 5 })
        {
            foreach (var window in windows ?? [1, 7, 1000])
            {
                var reader = new AuditReader(control) { TextWalkWindow = window, TextTierWidth = width };
                foreach (var term in Terms)
                {
                    var ids = new List<long>();
                    var trace = new List<string>();
                    var filter = new AuditFilter { Text = term, Limit = 3 };
                    while (true)
                    {
                        var page = await reader.PageAsync(filter, CancellationToken.None);
                        trace.Add($"before {filter.Before}: [{string.Join(',', page.Entries.Select(e => e.Id))}] older {page.HasOlder}");
                        ids.AddRange(page.Entries.Select(e => e.Id));
                        if (!page.HasOlder)
                        {
                            break;
                        }

                        filter = filter with { Before = page.OldestId };
                    }

                    var newer = new List<long>();
                    filter = new AuditFilter { Text = term, Limit = 3, After = 0 };
                    while (true)
                    {
                        var page = await reader.PageAsync(filter, CancellationToken.None);
                        newer.InsertRange(0, page.Entries.Select(e => e.Id));
                        if (!page.HasNewer || page.Entries.Count == 0)
                        {
                            break;
                        }

                        filter = filter with { After = page.Entries.Max(e => e.Id) };
                    }

                    Assert.True(ids.Distinct().Count() == ids.Count, $"'{term}', walk {window}, tiers of {width}: an id twice in {string.Join(" ", trace)}");
                    Assert.True(ids.SequenceEqual(newer), $"'{term}', walk {window}, tiers of {width}: newest first {string.Join(',', ids)}; towards newer {string.Join(',', newer)}");
                    result[(term, window ?? 1000, width)] = ids;
                }
            }
        }

        return result;
    }

    /// <summary>
    /// A CSV export's rows (<see cref="AuditReader.StreamAsync"/>) for every term, with tiers of 1,000,000 ids and of 5, are
    /// exactly the plain filter's, newest first; a cursor in the filter does not narrow an export.
    /// </summary>
    private async Task ExportsMatchAsync()
    {
        var control = Harness.Services.GetRequiredService<ControlDatabase>();
        foreach (var width in new[] { AuditTextTiers.Width, 5 })
        {
            var reader = new AuditReader(control) { TextTierWidth = width };
            foreach (var term in Terms)
            {
                var exported = new List<long>();
                await foreach (var entry in reader.StreamAsync(new AuditFilter { Text = term, Before = 20 }, CancellationToken.None))
                {
                    exported.Add(entry.Id);
                }

                Assert.True((await ExpectedAsync(term)).SequenceEqual(exported), $"export of '{term}', tiers of {width}: {string.Join(',', exported)}");
            }
        }
    }

    private static List<string> Flatten(Dictionary<(string Term, int Window, long Width), List<long>> pages) =>
        [.. pages.Select(kv => $"{kv.Key.Term}|{kv.Key.Window}|{kv.Key.Width}: {string.Join(',', kv.Value)}").Order(StringComparer.Ordinal)];

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
