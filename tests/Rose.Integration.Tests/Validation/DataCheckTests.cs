using Rose.Core.Validation;
using Rose.Core.Validation.Storage;

namespace Rose.Integration.Tests.Validation;

/// <summary>Each data check kind on a small table with known problems: status, failing count and sample.</summary>
public sealed class DataCheckTests(PostgresServerFixture pg) : IClassFixture<PostgresServerFixture>, IAsyncLifetime
{
    private readonly LazyHarness ownHarness = new(async () =>
    {
        var harness = await PipelineHarness.CreateAsync(pg);
        await harness.TargetExecAsync(Setup);
        return harness;
    });

    private const string Setup = """
        CREATE TABLE teams (id int PRIMARY KEY, name text);
        INSERT INTO teams VALUES (1, 'red'), (2, 'blue');
        CREATE TABLE players (id int PRIMARY KEY, team_id int, email text, nick text, role text, seen_at timestamptz);
        INSERT INTO players VALUES
            (1, 1, 'a@x', 'ann', 'admin', now()),
            (2, 2, 'b@x', NULL, 'member', now() - interval '2 days'),
            (3, 9, 'a@x', 'cid', 'guest', now() - interval '3 days'),
            (4, 8, 'c@x', NULL, 'member', NULL),
            (5, NULL, 'a@x', 'eve', 'member', now() - interval '1 hour');
        CREATE TABLE events (id int PRIMARY KEY, at timestamptz);
        INSERT INTO events VALUES (1, now() - interval '3 days');
        """;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await ownHarness.DisposeAsync();

    /// <summary>The test's own databases and services: the table-driven cases read one shared run, so most tests never need them.</summary>
    private Task<PipelineHarness> HarnessAsync() => ownHarness.GetAsync();

    public static TheoryData<string, string, long?> Cases => new()
    {
        { """{"kind":"not_null","table":"players","columns":["nick"]}""", CheckStatus.Fail, 2 },
        { """{"kind":"not_null","table":"players","columns":["email"]}""", CheckStatus.Pass, 0 },
        { """{"kind":"duplicates","table":"players","columns":["email"]}""", CheckStatus.Fail, 3 },
        { """{"kind":"duplicates","table":"players","columns":["id"]}""", CheckStatus.Pass, 0 },
        { """{"kind":"orphans","table":"players","columns":["team_id"],"ref_table":"teams","ref_columns":["id"]}""", CheckStatus.Fail, 2 },
        { """{"kind":"orphans","table":"players","columns":["id"],"ref_table":"players","ref_columns":["id"]}""", CheckStatus.Pass, 0 },
        { """{"kind":"accepted_values","table":"players","columns":["role"],"values":["admin","member"]}""", CheckStatus.Fail, 1 },
        { """{"kind":"accepted_values","table":"players","columns":["nick"],"values":["ann","cid","eve"]}""", CheckStatus.Pass, 0 },
        { """{"kind":"freshness","table":"players","columns":["seen_at"],"max_age_minutes":60}""", CheckStatus.Pass, null },
        { """{"kind":"freshness","table":"teams","columns":["name"],"max_age_minutes":60}""", CheckStatus.Error, null },
        { """{"kind":"freshness","table":"events","columns":["at"],"max_age_minutes":60,"severity":"warn"}""", CheckStatus.Warn, null },
        { """{"kind":"row_count","table":"players","baseline":5,"tolerance":0.1}""", CheckStatus.Pass, null },
        { """{"kind":"row_count","table":"teams","baseline":100,"tolerance":0.1}""", CheckStatus.Fail, null },
        { """{"kind":"custom_sql","table":"players","sql":"SELECT id FROM players WHERE id > 3","title":"high ids"}""", CheckStatus.Fail, 2 },
        { """{"kind":"custom_sql","table":"players","sql":"SELECT id FROM players WHERE id > 99","title":"none"}""", CheckStatus.Pass, 0 },
        { """{"kind":"custom_sql","table":"players","sql":"DELETE FROM players RETURNING id","title":"sneaky"}""", CheckStatus.Error, null },
        { """{"kind":"custom_sql","table":"players","sql":"SELECT 1; SELECT 2","title":"two"}""", CheckStatus.Error, null },
        { """{"kind":"not_null","table":"missing","columns":["x"]}""", CheckStatus.Error, null },
    };

    // Every case's check is stored and the cases share one run: that also proves one broken check
    // (a refused assertion, a missing table) does not take the others down.
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static ValidationReport? shared;

    private async Task<ValidationReport> SharedReportAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (shared is null)
            {
                var harness = await HarnessAsync();
                var store = harness.Services.GetRequiredService<ValidationCheckStore>();
                foreach (var json in Cases.Select(c => (string)c[0]))
                {
                    await store.UpsertAsync("t", System.Text.Json.JsonSerializer.Deserialize<CheckDefinition>(json)!, "test", CancellationToken.None);
                }

                shared = await harness.Services.GetRequiredService<ValidationRunner>().RunAsync("t", PipelineHarness.Alice, CancellationToken.None);
            }

            return shared;
        }
        finally
        {
            Gate.Release();
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Check_OnKnownData_GivesExpectedStatusAndCount(string json, string status, long? failing)
    {
        var definition = System.Text.Json.JsonSerializer.Deserialize<CheckDefinition>(json)!;

        var report = await SharedReportAsync();

        var result = Assert.Single(report.Results, r => r.Key == definition.Key);
        Assert.True(status == result.Status, $"{result.Status}: {result.Message}");
        if (status != CheckStatus.Error)
        {
            Assert.Equal(failing, result.FailingRows);
        }

        if (status == CheckStatus.Fail && failing > 0)
        {
            Assert.InRange(result.Sample!.Rows.Count, 1, Math.Min(5, (int)failing.Value));
        }
    }

    [Fact]
    public async Task Run_ManyChecksOnOneTable_ReadsItWithOneAggregateScan()
    {
        var harness = await HarnessAsync();
        var store = harness.Services.GetRequiredService<ValidationCheckStore>();
        foreach (var json in new[]
        {
            """{"kind":"not_null","table":"players","columns":["nick"]}""",
            """{"kind":"accepted_values","table":"players","columns":["role"],"values":["admin","member","guest"]}""",
            """{"kind":"freshness","table":"players","columns":["seen_at"],"max_age_minutes":600}""",
        })
        {
            await store.UpsertAsync("t", System.Text.Json.JsonSerializer.Deserialize<CheckDefinition>(json)!, "test", CancellationToken.None);
        }

        var report = await harness.Services.GetRequiredService<ValidationRunner>().RunAsync("t", PipelineHarness.Alice, CancellationToken.None);

        // Row count, NOT NULL, accepted values and freshness of players share one statement.
        var players = report.Results.Where(r => r.Table == "players").ToList();
        Assert.Equal(4, players.Count);
        Assert.Single(players.Select(r => r.Sql).Distinct());
        Assert.Contains("FILTER", players[0].Sql, StringComparison.Ordinal);
    }

    [Fact]
    public void Suggester_ParsesCheckInLists()
    {
        var parsed = CheckSuggester.ParseInList("CHECK ((status = ANY (ARRAY['open'::text, 'it''s'::text])))");

        Assert.NotNull(parsed);
        Assert.Equal("status", parsed.Value.Column);
        Assert.Equal(["open", "it's"], parsed.Value.Values);
    }
}
