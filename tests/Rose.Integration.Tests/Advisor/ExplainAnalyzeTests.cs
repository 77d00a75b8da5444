using Rose.Core.Plans;
using Rose.Core.Advisor;
using Rose.Core.Execution;
using Rose.Core.Identity;
using Rose.Core.Policy;

namespace Rose.Integration.Tests.Advisor;

/// <summary>
/// EXPLAIN (ANALYZE, BUFFERS) through the pipeline on a real server: a read is measured with per-node
/// share, misestimates and buffers; a write under analysis is that write, so the policy parks or denies
/// it and nothing changes.
/// </summary>
[Collection("postgres")]
public sealed class ExplainAnalyzeTests(PostgresServerFixture pg, SharedHarness shared) : IAsyncLifetime, IClassFixture<SharedHarness>
{
    private PipelineHarness h = null!;

    // One harness for the class, seeded once: every test leaves the table as seeded (a write under analysis is parked or denied).
    public async Task InitializeAsync() => h = await shared.HarnessAsync(async () =>
    {
        var created = await PipelineHarness.CreateAsync(pg);
        // a and b always match, which the planner does not know: it multiplies their selectivities.
        await created.TargetExecAsync("""
            CREATE TABLE pairs (id int PRIMARY KEY, a int NOT NULL, b int NOT NULL);
            INSERT INTO pairs SELECT g, g % 100, g % 100 FROM generate_series(1, 100000) g;
            ANALYZE pairs;
            """);
        return created;
    });

    // The harness belongs to the class fixture, which disposes of it after the last test.
    public Task DisposeAsync() => Task.CompletedTask;

    private QueryPlanService Plans => h.Services.GetRequiredService<QueryPlanService>();

    [Fact]
    public async Task Select_IsMeasured_WithShareMisestimateAndBuffers_AndAudited()
    {
        var run = await Plans.ExplainAnalyzeAsync(PipelineHarness.Alice, Channel.Api, "t", "SELECT * FROM pairs WHERE a = 7 AND b = 7",
            PipelineHarness.SeedPolicy("EXPLAIN"), "measure", CancellationToken.None);

        Assert.Equal(OutcomeStatus.Succeeded, run.Status);
        var plan = ExplainPlan.Parse(run.PlanJson!);
        Assert.NotNull(plan);
        Assert.True(plan.Analyzed);
        Assert.True(plan.ExecutionMs > 0);
        var scan = Assert.Single(plan.Flatten(), n => n.Relation is not null && n.Relation.EndsWith("pairs", StringComparison.Ordinal));
        Assert.Equal(1000, scan.ActualRows);
        // Estimated about 100000 x 1% x 1% = 10 rows, found 1,000: a 100x under-estimate.
        Assert.True(scan.Misestimate >= ExplainPlan.MisestimateFactor, $"misestimate {scan.Misestimate}");
        Assert.NotNull(scan.Buffers);
        Assert.True(scan.Buffers.SharedHit + scan.Buffers.SharedRead > 0);
        Assert.InRange(plan.Flatten().Sum(n => n.Share ?? 0), 0.99, 1.01);
        Assert.Equal("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) SELECT * FROM pairs WHERE a = 7 AND b = 7",
            await h.ControlScalarAsync<string>($"SELECT sql_text FROM rose.audit_log WHERE id = {run.AuditId}"));
    }

    [Fact]
    public async Task Delete_UnderAnalysis_IsTheDelete_ParkedForApproval_AndNothingIsDeleted()
    {
        var policy = new SqlPolicy
        {
            AllowedDatabases = ["t"],
            AllowedOperations = ["SELECT", "EXPLAIN", "DELETE"],
            RequiresApproval = ["DELETE"],
            Environment = "dev",
        };

        var run = await Plans.ExplainAnalyzeAsync(PipelineHarness.Alice, Channel.Api, "t", "DELETE FROM pairs WHERE a = 1", policy, null, CancellationToken.None);

        Assert.Equal(OutcomeStatus.PendingApproval, run.Status);
        Assert.NotNull(run.ApprovalId);
        Assert.Null(run.PlanJson);
        Assert.Equal(100000L, await h.TargetScalarAsync<long>("SELECT count(*) FROM pairs"));
    }

    [Fact]
    public async Task Delete_UnderAnalysis_WithoutDeleteInThePolicy_IsDenied()
    {
        var run = await Plans.ExplainAnalyzeAsync(PipelineHarness.Alice, Channel.Api, "t", "DELETE FROM pairs", AdvisorReads.PlanPolicy("t"), null,
            CancellationToken.None);

        Assert.Equal(OutcomeStatus.Denied, run.Status);
        Assert.NotEmpty(run.Reasons);
        Assert.Equal(100000L, await h.TargetScalarAsync<long>("SELECT count(*) FROM pairs"));
    }

    [Theory]
    [InlineData("SELECT 1; SELECT 2")]
    [InlineData("EXPLAIN SELECT 1")]
    [InlineData("SELECT * FROM pairs WHERE a = $1")]
    public async Task NotOneRunnableStatement_IsRefusedBeforeAnythingRuns(string query)
    {
        await Assert.ThrowsAsync<AdvisorRequestException>(() =>
            Plans.ExplainAnalyzeAsync(PipelineHarness.Alice, Channel.Api, "t", query, PipelineHarness.SeedPolicy("EXPLAIN"), null, CancellationToken.None));
    }
}
