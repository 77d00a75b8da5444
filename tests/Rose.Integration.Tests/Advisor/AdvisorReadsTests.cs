using Npgsql;
using Rose.Core.Advisor;
using Rose.Core.Identity;

namespace Rose.Integration.Tests.Advisor;

/// <summary>Health checks, the pg_stat_statements message and the no-hypopg fallback, on a real target through the audited read path.</summary>
[Collection("postgres")]
public sealed class AdvisorReadsTests(PostgresServerFixture pg, SharedHarness shared) : IAsyncLifetime, IClassFixture<SharedHarness>
{
    private PipelineHarness h = null!;

    // One harness for the class, seeded once: the tests only read the seeded table and count audit rows relative to their own start.
    public async Task InitializeAsync() => h = await shared.HarnessAsync(async () =>
    {
        var created = await PipelineHarness.CreateAsync(pg);
        await created.TargetExecAsync("""
            CREATE TABLE items (id int PRIMARY KEY, sku text NOT NULL, price int NOT NULL);
            INSERT INTO items SELECT g, 'S' || g, g % 100 FROM generate_series(1, 50000) g;
            CREATE INDEX items_sku_a ON items (sku);
            CREATE INDEX items_sku_b ON items (sku);
            CREATE SEQUENCE nearly_done AS smallint MAXVALUE 100;
            SELECT setval('nearly_done', 95);
            ANALYZE items;
            """);
        return created;
    });

    // The harness belongs to the class fixture, which disposes of it after the last test.
    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Health_FindsDuplicateIndexAndExhaustedSequence_WithRemediationAndAudit()
    {
        var before = await h.ControlScalarAsync<long>("SELECT count(*) FROM rose.audit_log");

        var report = await h.Services.GetRequiredService<HealthCheckService>().CheckAsync(PipelineHarness.Alice, "t", CancellationToken.None);

        Assert.Equal(HealthCheckDefinitions.All.Select(d => d.Name), report.Checks.Select(c => c.Name));
        Assert.DoesNotContain(report.Checks, c => c.Status == HealthStatus.Error);
        var duplicate = Assert.Single(report.Checks, c => c.Name == "duplicate_indexes");
        Assert.Equal(HealthStatus.Warning, duplicate.Status);
        Assert.Equal("DROP INDEX CONCURRENTLY items_sku_b;", duplicate.RemediationSql);
        var sequence = Assert.Single(report.Checks, c => c.Name == "sequences_near_exhaustion");
        Assert.Equal(HealthStatus.Critical, sequence.Status);
        Assert.Contains("nearly_done", sequence.Detail, StringComparison.Ordinal);
        Assert.Equal(HealthStatus.Ok, Assert.Single(report.Checks, c => c.Name == "invalid_indexes").Status);
        Assert.Contains("connections in use", Assert.Single(report.Checks, c => c.Name == "connection_saturation").Detail, StringComparison.Ordinal);
        // The checks were one audited read on the target.
        Assert.True(await h.ControlScalarAsync<long>("SELECT count(*) FROM rose.audit_log") > before);
    }

    [Fact]
    public async Task SlowQueries_WithoutPgStatStatements_SaysHowToEnableIt()
    {
        var report = await h.Services.GetRequiredService<SlowQueryService>().TopAsync(PipelineHarness.Alice, "t", 10, CancellationToken.None);

        Assert.Empty(report.Queries);
        Assert.Contains("shared_preload_libraries", report.Unavailable, StringComparison.Ordinal);
        Assert.Contains("CREATE EXTENSION pg_stat_statements", report.Unavailable, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SlowQueries_AsARoleWithoutSettingsOrStatsPrivileges_ListsTheTop_AndSaysWhyOthersTextIsHidden()
    {
        // A target reached as a plain login role: no pg_read_all_settings (the old probe read a setting that needs
        // it, and the tab showed a permission error) and no pg_read_all_stats (other roles' statement text is hidden).
        // Whether the server loads the extension at start decides which answer is right: the Docker test servers
        // do not (the tab must then say how to enable it, not show a permission error); the local fallback does.
        var target = await pg.CreateDatabaseAsync("pgss");
        var role = "adv_" + Guid.NewGuid().ToString("N")[..12];
        bool preloaded;
        await using (var admin = new NpgsqlConnection(target))
        {
            await admin.OpenAsync();
            await using (var setting = new NpgsqlCommand("SELECT current_setting('shared_preload_libraries') LIKE '%pg_stat_statements%'", admin))
            {
                preloaded = (bool)(await setting.ExecuteScalarAsync())!;
            }

            foreach (var sql in new[] { "CREATE EXTENSION pg_stat_statements", $"CREATE ROLE {role} LOGIN PASSWORD 'adv-pw'",
                $"GRANT CONNECT ON DATABASE \"{admin.Database}\" TO {role}" })
            {
                await using var setup = new NpgsqlCommand(sql, admin);
                await setup.ExecuteNonQueryAsync();
            }
        }

        var asRole = new NpgsqlConnectionStringBuilder(target) { Username = role, Password = "adv-pw" }.ConnectionString;
        await using var harness = await PipelineHarness.CreateAsync(pg, targetConnection: asRole);

        var report = await harness.Services.GetRequiredService<SlowQueryService>().TopAsync(PipelineHarness.Alice, "t", 10, CancellationToken.None);

        if (!preloaded)
        {
            Assert.Empty(report.Queries);
            Assert.Equal(SlowQueryService.EnableHint, report.Unavailable);
            return;
        }

        Assert.Null(report.Unavailable);
        Assert.NotEmpty(report.Queries);
        // The superuser's CREATE EXTENSION and CREATE ROLE above are another role's statements.
        var hidden = report.Queries.Count(q => q.Query == SlowQueryService.HiddenText);
        Assert.True(hidden > 0, "expected another role's statements with hidden text");
        Assert.Contains(report.Queries, q => q.Query != SlowQueryService.HiddenText);
        Assert.StartsWith($"{hidden} of these statements ran as other roles", report.Note, StringComparison.Ordinal);
        Assert.Contains("pg_read_all_stats", report.Note, StringComparison.Ordinal);

        var advice = await harness.Services.GetRequiredService<IndexAdvisor>().ForWorkloadAsync(PipelineHarness.Alice, Channel.Api, "t", 10, CancellationToken.None);
        Assert.Contains(advice.Notes, n => n.Contains("pg_read_all_stats", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Indexes_WithoutHypopg_FallBackToUnprovenPlanAdvice()
    {
        var advice = await h.Services.GetRequiredService<IndexAdvisor>().ForQueriesAsync(PipelineHarness.Alice, Channel.Api, "t",
            ["SELECT * FROM items WHERE price = 7"], CancellationToken.None);

        Assert.False(advice.HypopgAvailable);
        Assert.Contains(advice.Notes, n => n.Contains("unproven", StringComparison.Ordinal));
        var recommendation = Assert.Single(advice.Recommendations);
        Assert.Equal(["price"], recommendation.Columns);
        Assert.False(recommendation.Proven);
        Assert.Null(recommendation.EstimatedSpeedup);
    }

    [Fact]
    public async Task Indexes_AStatementThatIsNotARead_IsDeniedNotRun()
    {
        var advice = await h.Services.GetRequiredService<IndexAdvisor>().ForQueriesAsync(PipelineHarness.Alice, Channel.Api, "t",
            ["SELECT 1; DROP TABLE items"], CancellationToken.None);

        Assert.Empty(advice.Recommendations);
        Assert.Contains(advice.Notes, n => n.StartsWith("Skipped", StringComparison.Ordinal));
        Assert.Equal(1L, await h.TargetScalarAsync<long>("SELECT count(*) FROM pg_class WHERE relname = 'items'"));
    }
}
