using System.Text.RegularExpressions;
using Rose.E2E.Tests.Infrastructure;

namespace Rose.E2E.Tests.Workbench;

/// <summary>The SQL workbench in real Chromium against the real console process.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class WorkbenchTests(RoseConsoleFixture fixture) : SignedInWorkbenchTests(fixture)
{
    [Fact]
    public async Task Run_SelectWithCtrlEnter_ShowsRowsTypesAndNulls()
    {
        await Workbench.RunAsync("SELECT id, name, note FROM widgets ORDER BY id LIMIT 10;");

        var grid = Page.Locator("[data-testid=result-grid]");
        await Expect(grid).ToContainTextAsync("widget 1");
        await Expect(Page.Locator("[data-testid=row-count]")).ToHaveTextAsync("10 rows");
        await Expect(grid.Locator("th").Nth(2)).ToContainTextAsync("text");
        // Row 3 has a NULL note, shown as a styled NULL, not an empty cell.
        await Expect(grid.Locator("td.rg-null").First).ToHaveTextAsync("NULL");
        await RoseConsoleFixture.ScreenshotAsync(Page, "workbench-results");
    }

    [Fact]
    public async Task Run_StatementUnderCursor_RunsOnlyThatStatement()
    {
        // The cursor ends after the second statement, so only it runs.
        await Workbench.RunAsync("SELECT 'first' AS which;\nSELECT 'second' AS which;");

        await Expect(Page.Locator("[data-testid=result-grid]")).ToContainTextAsync("second");
        await Expect(Page.Locator("[data-testid=result-grid]")).Not.ToContainTextAsync("first");
    }

    [Fact]
    public async Task Run_CreateFunction_IsDeniedWithReason()
    {
        await Workbench.RunAsync("CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';");

        var denied = Page.Locator("[data-testid=denied]");
        await Expect(denied).ToBeVisibleAsync();
        await Expect(denied).ToContainTextAsync("CREATE FUNCTION");
        await Expect(Page.Locator("[data-testid=badge]")).ToContainTextAsync("denied");
    }

    [Fact]
    public async Task Run_DropTable_ShowsApprovalLinkAndLiveStatus()
    {
        await Workbench.RunAsync("DROP TABLE scratch;");

        var link = Page.Locator("[data-testid=approval-link]");
        await Expect(link).ToBeVisibleAsync();
        Assert.Matches(new Regex("^/approvals/\\d+$"), await link.GetAttributeAsync("href"));
        await Expect(Page.Locator("[data-testid=approval-status]")).ToHaveTextAsync("pending");

        // A decision made elsewhere (here straight in the control database) shows up through polling.
        var id = long.Parse((await link.GetAttributeAsync("href"))!["/approvals/".Length..], System.Globalization.CultureInfo.InvariantCulture);
        await using (var conn = new NpgsqlConnection(Fixture.ControlConnection))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand("UPDATE rose.approvals SET status = 'rejected', decided_at = now() WHERE id = $1", conn);
            cmd.Parameters.Add(new NpgsqlParameter { Value = id });
            Assert.Equal(1, await cmd.ExecuteNonQueryAsync());
        }

        await Expect(Page.Locator("[data-testid=approval-status]")).ToHaveTextAsync("rejected");
    }

    [Fact]
    public async Task Cancel_LongSleep_EndsServerQuery()
    {
        await Workbench.RunAsync("SELECT pg_sleep(60) AS slept_e2e_cancel;");
        await Expect(Page.Locator("[data-testid=cancel]")).ToBeVisibleAsync();
        Assert.True(await WaitForAsync(async () => await ActiveSleepersAsync() == 1), "pg_sleep never showed up as active in pg_stat_activity.\n" + Fixture.Console.Output);

        await Page.Locator("[data-testid=cancel]").ClickAsync();

        await Expect(Page.Locator("[data-testid=cancelled]")).ToBeVisibleAsync();
        Assert.True(await WaitForAsync(async () => await ActiveSleepersAsync() == 0), "The server query was still active after Cancel.");
    }

    [Fact]
    public async Task Export_HundredThousandRows_DownloadsFullCsv()
    {
        await Workbench.SetSqlAsync("SELECT id, kind, payload, at FROM events ORDER BY id");

        var download = await Page.RunAndWaitForDownloadAsync(() => Page.Locator("[data-testid=export]").ClickAsync(),
            new PageRunAndWaitForDownloadOptions { Timeout = 60_000 });
        var path = await download.PathAsync();

        var lines = 0;
        string? header = null;
        string? first = null;
        foreach (var line in File.ReadLines(path))
        {
            header ??= line;
            if (lines == 1)
            {
                first = line;
            }

            lines++;
        }

        Assert.Equal(RoseConsoleFixture.EventRows + 1, lines);
        Assert.Equal("id,kind,payload,at", header);
        Assert.Equal("1,view,\"payload, \"\"quoted\"\" 1\",2024-01-01 00:00:01+00", first);
    }

    [Fact]
    public async Task Explain_Select_RendersPlanTree()
    {
        await Workbench.SetSqlAsync("SELECT kind, count(*) FROM events GROUP BY kind");
        await Expect(Page.Locator("[data-testid=badge]")).ToContainTextAsync("allowed");
        await Page.Locator("[data-testid=explain]").ClickAsync();

        var plan = Page.Locator("[data-testid=plan]");
        await Expect(plan).ToBeVisibleAsync();
        await Expect(plan).ToContainTextAsync("events");
        Assert.True(await Page.Locator("[data-testid=plan-node]").CountAsync() >= 2);
        Assert.True(await Page.Locator(".pt-hot").CountAsync() >= 1);
        await RoseConsoleFixture.ScreenshotAsync(Page, "workbench-explain");
    }

    [Fact]
    public async Task Run_SyntaxError_ShowsSqlStateAndPosition()
    {
        await Workbench.RunAsync("SELECT id FROM widgets WHERE id = 'x'::int;");

        var error = Page.Locator("[data-testid=sql-error]");
        await Expect(error).ToContainTextAsync("22P02");
        await Expect(error).ToContainTextAsync("line 1");
    }

    [Fact]
    public async Task Classify_WhileTyping_ShowsBadgePerStatementAndParseMarker()
    {
        await Workbench.SetSqlAsync("SELECT 1;\nDROP TABLE scratch;\nSELEC oops;");

        var badges = Page.Locator("[data-testid=badge]");
        await Expect(badges).ToHaveCountAsync(3);
        await Expect(badges.Nth(0)).ToContainTextAsync("allowed");
        await Expect(badges.Nth(1)).ToContainTextAsync("needs approval");
        await Expect(badges.Nth(2)).ToContainTextAsync("denied");
        Assert.Contains("UNPARSEABLE", await badges.Nth(2).GetAttributeAsync("title"));
        await Expect(Page.Locator("#wb-editor .squiggly-error")).Not.ToHaveCountAsync(0);
    }

    [Fact]
    public async Task History_AfterRunWithReason_ListsEntryAndReopensSql()
    {
        var marker = "history_" + Guid.NewGuid().ToString("N")[..8];
        await Page.Locator("[data-testid=reason] input, input[data-testid=reason]").First.FillAsync("checking " + marker);
        await Workbench.RunAsync($"SELECT '{marker}' AS m;");
        await Expect(Page.Locator("[data-testid=result-grid]")).ToContainTextAsync(marker);

        // The reason went into the audit row with the workbench channel.
        await using (var conn = new NpgsqlConnection(Fixture.ControlConnection))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand("SELECT reason FROM rose.audit_entries WHERE channel = 'workbench' AND sql_text LIKE '%' || $1 || '%'", conn);
            cmd.Parameters.Add(new NpgsqlParameter { Value = marker });
            Assert.Equal("checking " + marker, (string?)await cmd.ExecuteScalarAsync());
        }

        await Page.GetByRole(AriaRole.Tab, new() { Name = "History" }).ClickAsync();
        await Page.Locator("[data-testid=history-search]").FillAsync(marker);
        var entry = Page.Locator("[data-testid=history-entry]");
        await Expect(entry).ToHaveCountAsync(1);
        await Workbench.SetSqlAsync("SELECT 'something else';");
        await entry.ClickAsync();
        await Expect(Page.Locator("#wb-editor .view-lines")).ToContainTextAsync(marker);
    }

    [Fact]
    public async Task Run_PastRowCap_ShowsTruncationAndVirtualizesRows()
    {
        await Workbench.RunAsync("SELECT id, kind, payload FROM events ORDER BY id;");

        await Expect(Page.Locator("[data-testid=truncated]")).ToContainTextAsync("row cap is 10,000");
        await Expect(Page.Locator("[data-testid=row-count]")).ToHaveTextAsync("100,000 rows");
        // Only the visible window of the 10,000 kept rows is in the DOM.
        Assert.InRange(await Page.Locator("[data-testid=result-grid] tbody tr").CountAsync(), 2, 200);
    }

    [Fact]
    public async Task Copy_CellAndRowNumber_PutsValueAndTsvOnClipboard()
    {
        await Workbench.RunAsync("SELECT id, name, note FROM widgets WHERE id = 3;");
        var grid = Page.Locator("[data-testid=result-grid]");
        await Expect(grid).ToContainTextAsync("widget 3");

        await grid.GetByText("widget 3").ClickAsync();
        Assert.Equal("widget 3", await ClipboardAsync("widget 3"));

        await grid.Locator("tbody td.rg-rownum").First.ClickAsync();
        Assert.Equal("3\twidget 3\t", await ClipboardAsync("3\twidget 3\t"));
    }

    /// <summary>The copy goes through the circuit and a JS call: poll briefly instead of reading once.</summary>
    private async Task<string> ClipboardAsync(string expected)
    {
        var text = string.Empty;
        for (var i = 0; i < 50; i++)
        {
            text = await Page.EvaluateAsync<string>("navigator.clipboard.readText()");
            if (text == expected)
            {
                break;
            }

            await Task.Delay(100);
        }

        return text;
    }

    [Fact]
    public async Task ExportForm_DeniedParkedOrNoToken_AnswersStatusWithReason()
    {
        // Every console page carries an antiforgery token (the sign-out form); the form post needs it.
        var token = await Page.Locator("input[name=__RequestVerificationToken]").First.GetAttributeAsync("value");
        async Task<IAPIResponse> PostAsync(string sql, bool withToken)
        {
            var form = Page.Context.APIRequest.CreateFormData();
            form.Set("database", "demo");
            form.Set("sql", sql);
            if (withToken)
            {
                form.Set("__RequestVerificationToken", token!);
            }

            return await Page.Context.APIRequest.PostAsync("workbench/export", new APIRequestContextOptions { Form = form });
        }

        var denied = await PostAsync("CREATE FUNCTION g() RETURNS int LANGUAGE sql AS 'SELECT 1'", withToken: true);
        Assert.Equal(403, denied.Status);
        Assert.Contains("CREATE FUNCTION", await denied.TextAsync());

        var parked = await PostAsync("TRUNCATE scratch", withToken: true);
        Assert.Equal(202, parked.Status);
        Assert.Contains("/approvals/", await parked.TextAsync());

        var ok = await PostAsync("SELECT id, note FROM widgets WHERE id IN (1, 3) ORDER BY id", withToken: true);
        Assert.Equal(200, ok.Status);
        Assert.Equal("id,note\r\n1,note 1\r\n3,\r\n", await ok.TextAsync());

        var forged = await PostAsync("SELECT 1", withToken: false);
        Assert.Equal(400, forged.Status);
    }

    [Fact]
    public async Task Complete_AfterTablePrefix_SuggestsSchemaTablesAndColumns()
    {
        await Expect(Page.Locator("[data-testid=schema-table]")).Not.ToHaveCountAsync(0);
        await Workbench.SetSqlAsync("SELECT * FROM widg");
        await Page.Keyboard.PressAsync("Control+Space");

        await Expect(Page.Locator(".suggest-widget")).ToContainTextAsync("widgets");
        await Page.Keyboard.PressAsync("Escape");
        await Workbench.SetSqlAsync("SELECT widgets.");
        await Page.Keyboard.PressAsync("Control+Space");
        await Expect(Page.Locator(".suggest-widget")).ToContainTextAsync("note");
    }

    [Fact]
    public async Task Format_LowercaseQuery_UppercasesKeywordsAndBreaksClauses()
    {
        await Workbench.SetSqlAsync("select id from widgets where note = 'from x' order by id");
        await Page.Locator("[data-testid=format]").ClickAsync();

        var lines = Page.Locator("#wb-editor .view-line");
        await Expect(lines).ToHaveCountAsync(4);
        await Expect(Page.Locator("#wb-editor .view-lines")).ToContainTextAsync("'from x'");
        await Expect(lines.Nth(2)).ToContainTextAsync("WHERE note");
    }

    private async Task<long> ActiveSleepersAsync()
    {
        await using var conn = new NpgsqlConnection(Fixture.TargetConnection);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%slept_e2e_cancel%' AND pid <> pg_backend_pid()", conn);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    private static async Task<bool> WaitForAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 60; i++)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(250);
        }

        return false;
    }

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);
}
