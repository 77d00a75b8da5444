using Microsoft.Extensions.Logging.Abstractions;
using Rose.Core.Demo;
using Rose.Core.Validation;
using Rose.Core.Validation.Storage;

namespace Rose.Integration.Tests.Validation;

/// <summary>
/// A run over the embedded demo data (the real DemoDatabase seed on a fresh database of the test server,
/// reached through its least-privileged roles) finds every deliberate problem and passes the clean tables.
/// </summary>
public sealed class DemoValidationTests(PostgresServerFixture pg) : IClassFixture<PostgresServerFixture>, IAsyncLifetime
{
    private readonly LazyHarness ownHarness = new(async () =>
    {
        var name = pg.ReserveDatabaseName("demo");
        var demo = await new DemoDatabase(NullLogger<DemoDatabase>.Instance).EnsureAsync(pg.AdminConnectionString, name, CancellationToken.None);
        return await PipelineHarness.CreateAsync(pg, t =>
        {
            t.ConnectionString = demo.ConnectionString;
            t.ReadOnlyConnectionString = demo.ReadOnlyConnectionString;
        });
    });

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await ownHarness.DisposeAsync();

    /// <summary>The test's own demo database and services: loading the demo takes seconds, and the table-driven cases read one shared run.</summary>
    private Task<PipelineHarness> HarnessAsync() => ownHarness.GetAsync();

    private async Task<ValidationRunner> RunnerAsync() => (await HarnessAsync()).Services.GetRequiredService<ValidationRunner>();

    // The demo load and a full run take seconds on a busy machine: the table-driven cases share one run.
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static ValidationReport? shared;

    private async Task<ValidationReport> SharedReportAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (shared is null)
            {
                await AcceptSuggestionsAsync();
                shared = await (await RunnerAsync()).RunAsync("t", PipelineHarness.Alice, CancellationToken.None);
            }

            return shared;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Accepts every suggestion but freshness (the demo's rows are dated 2023-2024, so it is stale by design).</summary>
    private async Task AcceptSuggestionsAsync()
    {
        var harness = await HarnessAsync();
        var catalog = await TargetCatalog.LoadAsync(harness.Services.GetRequiredService<TargetReader>(), PipelineHarness.Alice, "t", CancellationToken.None);
        var store = harness.Services.GetRequiredService<ValidationCheckStore>();
        foreach (var suggestion in CheckSuggester.Suggest(catalog).Where(s => s.Definition.Kind != CheckKinds.Freshness))
        {
            await store.UpsertAsync("t", suggestion.Definition, "alice", CancellationToken.None);
        }
    }

    [Theory]
    [InlineData("orphans:public.support_tickets(customer_id)->public.customers(id)", CheckStatus.Fail, 15L)]
    [InlineData("duplicates:public.customers(email)", CheckStatus.Fail, 40L)]
    [InlineData("not_null:public.customers(full_name)", CheckStatus.Fail, 12L)]
    [InlineData("orphans:public.orders(customer_id)->public.customers(id)", CheckStatus.Pass, 0L)]
    [InlineData("orphans:public.shipments(order_id)->public.orders(id)", CheckStatus.Pass, 0L)]
    [InlineData("orphans:public.app_events(customer_id)->public.customers(id)", CheckStatus.Pass, 0L)]
    [InlineData("duplicates:public.products(sku)", CheckStatus.Pass, 0L)]
    [InlineData("accepted_values:public.orders(status)", CheckStatus.Pass, 0L)]
    [InlineData("not_null:public.products(id,sku,name,category,price_cents,active,created_at)", CheckStatus.Pass, 0L)]
    public async Task Run_DemoWithAcceptedSuggestions_FindsEachDeliberateProblem(string key, string status, long failing)
    {
        var report = await SharedReportAsync();

        var result = Assert.Single(report.Results, r => r.Key == key);
        Assert.Equal(status, result.Status);
        Assert.Equal(failing, result.FailingRows);
        if (status == CheckStatus.Fail)
        {
            Assert.NotNull(result.Sample);
            Assert.InRange(result.Sample!.Rows.Count, 1, SampleRows.MaxRows);
            Assert.False(string.IsNullOrEmpty(result.Sql));
        }
    }

    [Fact]
    public async Task Run_Demo_PassesCleanTablesAndAuditsTheSchemaProblems()
    {
        var report = await SharedReportAsync();

        Assert.Equal(RunStatus.Completed, report.Status);
        Assert.Empty(report.Errors);
        Assert.DoesNotContain(report.Results, r => r.Status == CheckStatus.Error);
        string[] clean = ["orders", "order_items", "payments", "products"];
        Assert.All(report.Results.Where(r => clean.Contains(r.Table)), r => Assert.Equal(CheckStatus.Pass, r.Status));
        // Exactly the three deliberate data problems fail, nothing else.
        Assert.Equal(
            ["duplicates:public.customers(email)", "not_null:public.customers(full_name)", "orphans:public.support_tickets(customer_id)->public.customers(id)"],
            report.Results.Where(r => r.Status == CheckStatus.Fail).Select(r => r.Key).Order(StringComparer.Ordinal));

        var noPk = report.Findings.Where(f => f.Rule == "no_primary_key").Select(f => f.Object).ToList();
        Assert.Equal(["public.app_events"], noPk);
        var unindexed = report.Findings.Where(f => f.Rule == "unindexed_foreign_key").ToList();
        Assert.Equal("public.shipments (order_id)", Assert.Single(unindexed).Object);
        Assert.Contains("CREATE INDEX CONCURRENTLY", unindexed[0].Remediation, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_First_AdoptsTheSuggestionsAndFindsEveryDeliberateProblem()
    {
        // Nothing accepted by hand: the first run adopts the suggestions (freshness aside) on its own.
        var runner = await RunnerAsync();
        var report = await runner.RunAsync("t", PipelineHarness.Alice, CancellationToken.None);

        Assert.Equal(
            ["duplicates:public.customers(email)", "not_null:public.customers(full_name)", "orphans:public.support_tickets(customer_id)->public.customers(id)"],
            report.Results.Where(r => r.Status == CheckStatus.Fail).Select(r => r.Key).Order(StringComparer.Ordinal));
        Assert.Equal(15L, Assert.Single(report.Results, r => r.Key == "orphans:public.support_tickets(customer_id)->public.customers(id)").FailingRows);
        Assert.Equal(8, report.Results.Count(r => r.Kind == CheckKinds.RowCount));
        Assert.DoesNotContain(report.Results, r => r.Kind == CheckKinds.Freshness);

        // Adopted once: a check switched off stays off on the next run.
        var store = (await HarnessAsync()).Services.GetRequiredService<ValidationCheckStore>();
        var stored = await store.ListAsync("t", enabledOnly: false, CancellationToken.None);
        Assert.DoesNotContain(stored, c => c.Definition.Kind == CheckKinds.Freshness);
        var duplicates = Assert.Single(stored, c => c.Key == "duplicates:public.customers(email)");
        await store.SetEnabledAsync(duplicates.Id, enabled: false, CancellationToken.None);
        var second = await runner.RunAsync("t", PipelineHarness.Alice, CancellationToken.None);
        Assert.DoesNotContain(second.Results, r => r.Key == duplicates.Key);
        Assert.Equal(stored.Count, (await store.ListAsync("t", enabledOnly: false, CancellationToken.None)).Count);
    }

    [Fact]
    public async Task Run_Twice_UsesThePreviousRowCountAsBaselineAndIsAudited()
    {
        var harness = await HarnessAsync();
        var runner = await RunnerAsync();
        await runner.RunAsync("t", PipelineHarness.Alice, CancellationToken.None);
        var second = await runner.RunAsync("t", PipelineHarness.Alice, CancellationToken.None);

        var count = Assert.Single(second.Results, r => r.Key == "row_count:public.customers");
        Assert.Equal(CheckStatus.Pass, count.Status);
        Assert.Equal(1200m, count.Observed);
        Assert.Contains("baseline 1,200", count.Message, StringComparison.Ordinal);
        var audited = await harness.ControlScalarAsync<long>("SELECT count(*) FROM rose.audit_log WHERE channel = 'validation'");
        Assert.True(audited >= 4, $"expected the validation reads in the audit log, found {audited}");
        var runs = await harness.Services.GetRequiredService<ValidationRunStore>().ListAsync("t", 10, CancellationToken.None);
        Assert.Equal(2, runs.Count);
        Assert.True(runs[0].Id > runs[1].Id);
    }
}
