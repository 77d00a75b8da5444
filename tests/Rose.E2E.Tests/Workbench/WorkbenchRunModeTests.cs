using Rose.E2E.Tests.Infrastructure;

namespace Rose.E2E.Tests.Workbench;

/// <summary>
/// What the workbench sends for each way of running: a selection, the whole editor (Ctrl+Shift+Enter),
/// and a typed EXPLAIN ANALYZE, in real Chromium against the real console.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class WorkbenchRunModeTests(RoseConsoleFixture fixture) : SignedInWorkbenchTests(fixture)
{
    [Fact]
    public async Task Run_SelectionInsideStatement_RunsOnlyTheSelectedText()
    {
        // The cursor (the selection's end) sits inside the one UNION statement, which would give two
        // rows; the selection is its second half, which gives one. One row proves the selection ran.
        var marker = "sel_" + Guid.NewGuid().ToString("N")[..8];
        const string picked = "SELECT 'picked' AS which;";
        await Workbench.SetSqlAsync($"SELECT '{marker}' AS which UNION ALL {picked}");
        await Workbench.SelectLastCharsAsync(picked.Length);
        await Workbench.RunKeepingSelectionAsync();

        var grid = Page.Locator("[data-testid=result-grid]");
        await Expect(grid).ToContainTextAsync("picked");
        await Expect(Page.Locator("[data-testid=row-count]")).ToHaveTextAsync("1 rows");
        await Expect(grid).Not.ToContainTextAsync(marker);
        await Expect(Workbench.ResultTabs).ToHaveCountAsync(1);

        // The audit log holds exactly the selected text, not the statement around it.
        await using var conn = new NpgsqlConnection(Fixture.ControlConnection);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "SELECT count(*) FROM rose.audit_entries WHERE channel = 'workbench' AND sql_text LIKE '%' || $1 || '%'", conn);
        cmd.Parameters.Add(new NpgsqlParameter { Value = marker });
        Assert.Equal(0L, (long)(await cmd.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task RunAll_CtrlShiftEnter_RunsEveryStatementIntoItsOwnTab()
    {
        await Workbench.SetSqlAsync("SELECT 'first' AS which;\nSELECT 'second' AS which, 2 AS n;");
        // Cursor on the first statement: Ctrl+Enter would run only it, Ctrl+Shift+Enter runs both.
        await Page.Keyboard.PressAsync("Control+Home");
        await Page.Keyboard.PressAsync("Control+Shift+Enter");

        var tabs = Workbench.ResultTabs;
        await Expect(tabs).ToHaveCountAsync(2);
        await Expect(tabs.Nth(0)).ToContainTextAsync("1: SELECT (1)");
        await Expect(tabs.Nth(1)).ToContainTextAsync("2: SELECT (1)");
        await Expect(Page.Locator("[data-testid=result-grid]")).ToContainTextAsync("first");

        await tabs.Nth(1).ClickAsync();
        var second = Page.Locator("[data-testid=result-grid]");
        await Expect(second).ToContainTextAsync("second");
        await Expect(second.Locator("th")).ToHaveCountAsync(3);

        // Monaco binds Ctrl+Shift+Enter to "insert line above" by default: the run must replace it, not add to it.
        await Expect(Page.Locator("#wb-editor .view-line")).ToHaveCountAsync(2);
    }

    [Fact]
    public async Task Run_TypedExplainAnalyze_RendersPlanTreeWithActuals()
    {
        await Workbench.RunAsync("EXPLAIN ANALYZE SELECT kind, count(*) FROM events WHERE id <= 5000 GROUP BY kind;");

        await ExpectAnalyzedPlanAsync();
    }

    [Fact]
    public async Task ExplainAnalyzeButton_Select_RendersPlanTreeWithActuals()
    {
        await Workbench.SetSqlAsync("SELECT kind, count(*) FROM events WHERE id <= 5000 GROUP BY kind");
        await Expect(Page.Locator("[data-testid=badge]")).ToContainTextAsync("allowed");
        await Page.Locator("[data-testid=explain-analyze]").ClickAsync();

        await ExpectAnalyzedPlanAsync();
    }

    [Fact]
    public async Task ExplainAnalyzeButton_OnTypedExplain_RunsItAsWrittenInsteadOfWrappingIt()
    {
        // Wrapping a typed EXPLAIN in another EXPLAIN is a syntax error; the button runs it as it stands.
        await Workbench.SetSqlAsync("EXPLAIN ANALYZE SELECT kind, count(*) FROM events WHERE id <= 5000 GROUP BY kind");
        await Expect(Page.Locator("[data-testid=badge]")).ToContainTextAsync("EXPLAIN: allowed");
        await Page.Locator("[data-testid=explain-analyze]").ClickAsync();

        await ExpectAnalyzedPlanAsync();
        await Expect(Page.Locator("[data-testid=sql-error]")).ToHaveCountAsync(0);
    }

    /// <summary>An analyzed plan: the summary, actual-figure columns, and a scan of events that really read 5,000 rows.</summary>
    private async Task ExpectAnalyzedPlanAsync()
    {
        var plan = Page.Locator("[data-testid=plan]");
        await Expect(plan).ToBeVisibleAsync();
        await Expect(plan.Locator(".pt-summary")).ToContainTextAsync("EXPLAIN ANALYZE");
        await Expect(plan.Locator(".pt-summary")).ToContainTextAsync("Execution");
        await Expect(plan.Locator("thead")).ToContainTextAsync("Actual rows");
        await Expect(plan.Locator("thead")).ToContainTextAsync("Time (ms)");

        var nodes = Page.Locator("[data-testid=plan-node]");
        Assert.True(await nodes.CountAsync() >= 2, "expected an aggregate over a scan");
        // The scan of events read the 5,000 rows of the range: an actual figure, not an estimate.
        var scan = nodes.Filter(new LocatorFilterOptions { HasText = "events" }).First;
        await Expect(scan.Locator("[data-testid=actual-rows]")).ToHaveTextAsync("5,000");
        Assert.Matches(@"^\d[\d,]*\.\d{3}$", await scan.Locator("[data-testid=actual-ms]").InnerTextAsync());
        await RoseConsoleFixture.ScreenshotAsync(Page, "workbench-explain-analyze");
    }

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);
}
