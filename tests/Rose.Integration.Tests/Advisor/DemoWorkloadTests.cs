using Microsoft.Extensions.Logging.Abstractions;
using Rose.Core.Advisor;
using Rose.Core.Identity;
using Rose.Core.Demo;

namespace Rose.Integration.Tests.Advisor;

/// <summary>
/// The demo's workload on a seeded demo database: the 600,000-row page_views table is loaded once,
/// the shop's statements run, and the advisor finds the missing index with a proven >= 10x speed-up.
/// </summary>
[Collection("postgres")]
public sealed class DemoWorkloadTests(PostgresServerFixture pg) : PipelineTest(pg)
{
    private DemoDatabaseInfo demo = null!;

    protected override async Task SeedAsync()
    {
        await HypopgRequirement.EnsureAsync(Harness);
        var database = new NpgsqlConnectionStringBuilder(Harness.TargetConnection).Database!;
        demo = await new DemoDatabase(NullLogger<DemoDatabase>.Instance).EnsureAsync(Harness.TargetConnection, database, CancellationToken.None);
    }

    [Fact]
    public async Task Workload_LoadsPageViewsOnce_AndTheAdvisorProvesTheMissingIndex()
    {
        var workload = new DemoWorkload(NullLogger<DemoWorkload>.Instance);

        await workload.PrepareAndRunAsync(Harness.TargetConnection, demo.ReadOnlyConnectionString, CancellationToken.None);
        await workload.PrepareAndRunAsync(Harness.TargetConnection, demo.ReadOnlyConnectionString, CancellationToken.None);
        await workload.TrickleAsync(demo.ReadOnlyConnectionString, CancellationToken.None);

        Assert.Equal((long)DemoWorkload.PageViewRows, await Harness.TargetScalarAsync<long>("SELECT count(*) FROM page_views"));
        Assert.Equal(1L, await Harness.TargetScalarAsync<long>("SELECT count(*) FROM pg_extension WHERE extname = 'hypopg'"));
        var advice = await Harness.Services.GetRequiredService<IndexAdvisor>().ForQueriesAsync(PipelineHarness.Alice, Channel.Api, "t",
            ["SELECT path, duration_ms, viewed_at FROM page_views WHERE customer_id = 4242 ORDER BY viewed_at DESC LIMIT 20"], CancellationToken.None);
        var recommendation = Assert.Single(advice.Recommendations);
        Assert.Equal("page_views", recommendation.Table);
        Assert.Equal("customer_id", recommendation.Columns[0]);
        Assert.True(recommendation.EstimatedSpeedup >= 10, $"estimated speed-up {recommendation.EstimatedSpeedup}");

        if (await Harness.TargetScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements')"))
        {
            // Where the server loads pg_stat_statements (the embedded demo cluster does), the read-only role the
            // Performance page reads with sees the text of the traffic: it ran as that role.
            await using var asReader = new NpgsqlConnection(demo.ReadOnlyConnectionString);
            await asReader.OpenAsync();
            await using var seen = new NpgsqlCommand(
                "SELECT count(*) FROM pg_stat_statements WHERE query LIKE '%FROM page_views WHERE customer_id = $1%'", asReader);
            Assert.True((long)(await seen.ExecuteScalarAsync())! >= 1, "the demo's slow lookup is not visible to the read-only role");
        }
    }
}
