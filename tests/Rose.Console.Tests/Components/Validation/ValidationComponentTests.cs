using Bunit;
using Rose.Console.Components.Pages.Validation;
using Rose.Core.Validation;
using Rose.Core.Validation.Storage;

namespace Rose.Console.Tests.Components.Validation;

/// <summary>The Validation page's parts, rendered on their own: results, audit, suggestions, drill-down, trend.</summary>
public sealed class ValidationComponentTests : ComponentTestContext, IAsyncLifetime
{
    public Task InitializeAsync() => Task.CompletedTask;

    // MudBlazor's KeyInterceptorService is only IAsyncDisposable: dispose the context asynchronously
    // (the synchronous Dispose xunit calls afterwards then finds it already disposed).
    async Task IAsyncLifetime.DisposeAsync() => await base.DisposeAsync();

    private static StoredResult Stored(long run, string key, string status, long? failing, SampleRows? sample = null, decimal? observed = null) =>
        new(run * 10, run, DateTimeOffset.UnixEpoch.AddDays(run),
            new CheckResult(key, CheckKinds.Duplicates, "public.customers", "email", $"customers(email): no duplicates", status, failing, sample,
                "SELECT email FROM customers GROUP BY email HAVING count(*) > 1", 1.5, failing > 0 ? $"{failing} rows share a key" : null, observed));

    [Fact]
    public void ResultTable_RendersEachCheckWithStatusAndDrillDownLink()
    {
        var cut = Render<ValidationResultTable>(p => p
            .Add(c => c.Results, new List<StoredResult> { Stored(1, "duplicates:public.customers(email)", CheckStatus.Fail, 40), Stored(1, "row_count:public.orders", CheckStatus.Pass, 0) })
            .Add(c => c.LinkFor, key => "/validation?check=" + Uri.EscapeDataString(key)));

        var rows = cut.FindAll("[data-testid=validation-result]");
        Assert.Equal(2, rows.Count);
        Assert.Equal("fail", rows[0].GetAttribute("data-status"));
        Assert.Equal("duplicates:public.customers(email)", rows[0].GetAttribute("data-key"));
        Assert.Equal("/validation?check=duplicates%3Apublic.customers%28email%29", rows[0].QuerySelector("a")!.GetAttribute("href"));
        Assert.Contains("40", rows[0].TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void ResultTable_Empty_SaysNothingWasStored()
    {
        var cut = Render<ValidationResultTable>(p => p.Add(c => c.Results, new List<StoredResult>()).Add(c => c.LinkFor, _ => "#"));

        Assert.Contains("no check results", cut.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void AuditTable_CopyButton_SendsTheRemediationSql()
    {
        string? copied = null;
        var cut = Render<SchemaFindingTable>(p => p
            .Add(c => c.Findings, new List<SchemaFinding>
            {
                new("no_primary_key", "warn", "public.app_events", "no primary key", "ALTER TABLE app_events ADD PRIMARY KEY (...);"),
                new("unindexed_foreign_key", "warn", "public.shipments (order_id)", "no index", "CREATE INDEX CONCURRENTLY ON shipments (order_id);"),
            })
            .Add(c => c.OnCopy, sql => copied = sql));

        Assert.Equal(2, cut.FindAll("[data-testid=validation-finding]").Count);
        cut.FindAll("[data-testid=finding-copy]")[1].Click();
        Assert.Equal("CREATE INDEX CONCURRENTLY ON shipments (order_id);", copied);
        Assert.Equal("Copy the remediation SQL for public.shipments (order_id)", cut.FindAll("[data-testid=finding-copy]")[1].GetAttribute("aria-label"));
    }

    [Fact]
    public void AuditTable_Empty_SaysNoFindings()
    {
        var cut = Render<SchemaFindingTable>(p => p.Add(c => c.Findings, new List<SchemaFinding>()));

        Assert.Equal("No findings.", cut.Find("[data-testid=validation-no-findings]").TextContent.Trim());
    }

    [Fact]
    public void Suggestions_BeforeAsking_OffersTheSuggestButton()
    {
        var asked = false;
        var cut = Render<SuggestionList>(p => p.Add(c => c.Suggestions, null).Add(c => c.OnSuggest, () => asked = true));

        cut.Find("[data-testid=validation-suggest]").Click();
        Assert.True(asked);
    }

    [Fact]
    public void Suggestions_Accept_SendsThatSuggestion()
    {
        SuggestedCheck? accepted = null;
        var email = new SuggestedCheck(new CheckDefinition { Kind = CheckKinds.Duplicates, Table = "customers", Columns = ["email"] }, "looks unique");
        var name = new SuggestedCheck(new CheckDefinition { Kind = CheckKinds.NotNull, Table = "customers", Columns = ["full_name"] }, "looks required");
        var cut = Render<SuggestionList>(p => p
            .Add(c => c.Suggestions, new List<SuggestedCheck> { email, name })
            .Add(c => c.CanAccept, true)
            .Add(c => c.OnAccept, s => accepted = s));

        Assert.Equal([email.Definition.Key, name.Definition.Key], cut.FindAll("[data-testid=validation-suggestion]").Select(r => r.GetAttribute("data-key")));
        cut.FindAll("[data-testid=validation-accept]")[1].Click();
        Assert.Same(name, accepted);
    }

    [Fact]
    public void Suggestions_ViewerCannotAccept_AndAllAcceptedSaysSo()
    {
        var suggestion = new SuggestedCheck(new CheckDefinition { Kind = CheckKinds.RowCount, Table = "orders" }, "row count");
        var viewer = Render<SuggestionList>(p => p.Add(c => c.Suggestions, new List<SuggestedCheck> { suggestion }).Add(c => c.CanAccept, false));
        Assert.Empty(viewer.FindAll("[data-testid=validation-accept]"));

        var done = Render<SuggestionList>(p => p.Add(c => c.Suggestions, new List<SuggestedCheck>()));
        Assert.Contains("already accepted", done.Find("[data-testid=validation-no-suggestions]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckDetail_ShowsLatestStatusSampleAndSql()
    {
        var sample = new SampleRows(["email", "count"], [["ada@example.com", "2"], [null, "3"]]);
        var cut = Render<ValidationCheckDetail>(p => p
            .Add(c => c.Database, "demo")
            .Add(c => c.CheckKey, "duplicates:public.customers(email)")
            .Add(c => c.History, new List<StoredResult> { Stored(2, "k", CheckStatus.Fail, 40, sample), Stored(1, "k", CheckStatus.Pass, 0) }));

        Assert.Equal("fail", cut.Find("[data-testid=check-status]").TextContent.Trim());
        Assert.Equal("customers(email): no duplicates", cut.Find("[data-testid=check-title]").TextContent.Trim());
        var cells = cut.FindAll("[data-testid=validation-sample] tbody td").Select(td => td.TextContent).ToList();
        Assert.Equal(["ada@example.com", "2", "NULL", "3"], cells);
        Assert.Contains("HAVING count(*) > 1", cut.Find("[data-testid=validation-check-detail]").TextContent, StringComparison.Ordinal);
        Assert.Equal("/validation?database=demo", cut.Find("[data-testid=check-back]").GetAttribute("href"));
        Assert.NotNull(cut.Find("[data-testid=check-history] svg"));
    }

    [Fact]
    public void CheckDetail_WithoutHistory_SaysNoResultsYet()
    {
        var cut = Render<ValidationCheckDetail>(p => p.Add(c => c.Database, "demo").Add(c => c.CheckKey, "not_null:public.customers(full_name)"));

        Assert.Equal("not_null:public.customers(full_name)", cut.Find("[data-testid=check-title]").TextContent.Trim());
        Assert.NotNull(cut.Find("[data-testid=check-no-results]"));
    }

    [Fact]
    public void Trend_DrawsAChartWithTheThreeSeries_OrSaysNoRun()
    {
        var cut = Render<ValidationTrend>(p => p.Add(c => c.Points, new List<TrendPoint> { new("#1", 48, 0, 3, 0), new("#2", 50, 1, 2, 0) }));
        Assert.NotNull(cut.Find("[data-testid=validation-trend] svg"));
        foreach (var series in new[] { "fail", "warn", "pass" })
        {
            Assert.Contains(series, cut.Markup, StringComparison.Ordinal);
        }

        var empty = Render<ValidationTrend>(p => p.Add(c => c.Points, new List<TrendPoint>()));
        Assert.Contains("No finished run yet.", empty.Markup, StringComparison.Ordinal);
        Assert.Empty(empty.FindAll("svg"));
    }
    [Fact]
    public void Trend_WithOneRun_GivesItsCountsInsteadOfAnEmptyPlot()
    {
        var cut = Render<ValidationTrend>(p => p.Add(c => c.Points, new List<TrendPoint> { new("#1 12-02 12:30", 38, 0, 4, 0) }));

        Assert.Empty(cut.FindAll("svg"));
        var text = cut.Find("[data-testid=trend-single]").TextContent;
        Assert.Contains("#1 12-02 12:30: 38 pass, 0 warn, 4 fail, 0 error", text, StringComparison.Ordinal);
        Assert.Contains("from the second run on", text, StringComparison.Ordinal);
    }
}
