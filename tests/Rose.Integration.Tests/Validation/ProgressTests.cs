using Rose.Core.Validation;
using Rose.Core.Validation.SchemaLint;
using Rose.Core.Validation.Storage;

namespace Rose.Integration.Tests.Validation;

/// <summary>A run reports each step as it begins, with a done count that only grows and ends at the total.</summary>
public sealed class ProgressTests(PostgresServerFixture pg) : IClassFixture<PostgresServerFixture>, IAsyncLifetime
{
    private PipelineHarness harness = null!;

    public async Task InitializeAsync()
    {
        harness = await PipelineHarness.CreateAsync(pg);
        await harness.TargetExecAsync("""
            CREATE TABLE customers (id int PRIMARY KEY, name text);
            INSERT INTO customers VALUES (1, 'ann'), (2, NULL);
            CREATE TABLE orders (id int PRIMARY KEY, customer_id int);
            INSERT INTO orders VALUES (1, 1), (2, 2), (3, 1);
            """);
        var checks = harness.Services.GetRequiredService<ValidationCheckStore>();
        await checks.UpsertAsync("t", new CheckDefinition { Kind = CheckKinds.NotNull, Table = "customers", Columns = ["name"] }, "alice", CancellationToken.None);
        await checks.UpsertAsync("t", new CheckDefinition { Kind = CheckKinds.CustomSql, Table = "orders", Sql = "SELECT id FROM orders WHERE id > 2" }, "alice", CancellationToken.None);
    }

    public async Task DisposeAsync() => await harness.DisposeAsync();

    [Fact]
    public async Task Run_WithProgress_ReportsEachStepWithGrowingDoneEndingAtTotal()
    {
        var reports = new Recorder();

        var report = await harness.Services.GetRequiredService<ValidationRunner>().RunAsync("t", PipelineHarness.Alice, reports, CancellationToken.None);

        Assert.Equal(RunStatus.Completed, report.Status);
        var seen = reports.Items;
        // catalog, checks on each of the two tables, the one assertion, the audit, storing, then the final report
        Assert.Equal(
            [ValidationProgress.Catalog, ValidationProgress.Checks, ValidationProgress.Checks, ValidationProgress.Assertion,
             ValidationProgress.Audit, ValidationProgress.Store, ValidationProgress.Finished],
            seen.Select(p => p.Stage));
        Assert.Equal([0, 1, 2, 3, 4, 5, 6], seen.Select(p => p.Done));
        // The total is unknown while the catalog is read, then fixed.
        Assert.Equal(0, seen[0].Total);
        Assert.All(seen.Skip(1), p => Assert.Equal(6, p.Total));
        Assert.Equal(seen[^1].Total, seen[^1].Done);

        Assert.Equal("reading the catalog of t", seen[0].Message);
        Assert.Equal("1 of 6: checks on public.customers", seen[1].ToString());
        Assert.Equal("2 of 6: checks on public.orders", seen[2].ToString());
        Assert.Equal("assertion on public.orders", seen[3].Message);
        Assert.Equal($"schema audit ({SchemaLintRules.All.Count} rules)", seen[4].Message);
        Assert.Equal($"{report.Summary.Fail} failing, {report.Summary.Warn} warnings, {report.Summary.Error} errors, {report.Summary.Findings} audit findings", seen[^1].Message);
        Assert.Equal(2, report.Summary.Fail); // the NULL name and the assertion's row: the steps ran real checks
    }

    [Fact]
    public async Task Run_CatalogUnreadable_StillEndsWithDoneEqualToTotal()
    {
        // A target that does not exist: the catalog read fails and the run ends as an error.
        var reports = new Recorder();

        var report = await harness.Services.GetRequiredService<ValidationRunner>().RunAsync("nope", PipelineHarness.Alice, reports, CancellationToken.None);

        Assert.Equal(RunStatus.Error, report.Status);
        var seen = reports.Items;
        Assert.Equal(ValidationProgress.Catalog, seen[0].Stage);
        Assert.Equal(ValidationProgress.Finished, seen[^1].Stage);
        Assert.True(seen.Zip(seen.Skip(1)).All(p => p.Second.Done > p.First.Done));
        Assert.Equal(seen[^1].Total, seen[^1].Done);
    }

    /// <summary>Records reports synchronously, in order (Progress&lt;T&gt; would post them to the pool, unordered).</summary>
    private sealed class Recorder : IProgress<ValidationProgress>
    {
        private readonly List<ValidationProgress> items = [];

        public List<ValidationProgress> Items
        {
            get
            {
                lock (items)
                {
                    return [.. items];
                }
            }
        }

        public void Report(ValidationProgress value)
        {
            lock (items)
            {
                items.Add(value);
            }
        }
    }
}
