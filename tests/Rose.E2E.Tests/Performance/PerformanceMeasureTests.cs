using Rose.E2E.Tests.Infrastructure;

namespace Rose.E2E.Tests.Performance;

/// <summary>
/// In real Chromium at 1366x768, light and dark: an operator measures a typed statement on
/// /performance (EXPLAIN (ANALYZE, BUFFERS) through the pipeline) and reads the measured plan tree,
/// with each node's actual rows, time and share; the run is in the audit log under the operator.
/// </summary>
[Collection(PerformanceCollection.Name)]
public sealed class PerformanceMeasureTests(PerformanceConsoleFixture fixture)
{
    [Theory]
    [InlineData("light")]
    [InlineData("dark")]
    public async Task Measure_TypedStatement_ShowsTheMeasuredPlanTree(string scheme)
    {
        // The system preference is read when the circuit starts: the context has it from its first page.
        var page = await fixture.SignInAsync("alice", "/performance?database=demo", scheme == "dark" ? ColorScheme.Dark : ColorScheme.Light);
        await RoseConsoleFixture.WaitInteractiveAsync(page);
        await Assertions.Expect(page.Locator(".rose-root.rose-dark")).ToHaveCountAsync(scheme == "dark" ? 1 : 0);

        var marker = "measure_" + scheme;
        var typed = page.Locator("textarea[data-testid=performance-typed], [data-testid=performance-typed] textarea").First;
        await RoseConsoleFixture.SelectTabAsync(page, page.GetByText("Index advisor"), typed);
        await typed.FillAsync($"SELECT count(*) AS {marker} FROM events WHERE payload LIKE 'payload%7'");
        await page.GetByTestId("performance-measure").ClickAsync();

        var view = page.GetByTestId("performance-plan-view");
        await Assertions.Expect(view).ToContainTextAsync("Plan (measured)", new() { Timeout = 60_000 });
        await Assertions.Expect(view.GetByTestId("plan")).ToContainTextAsync("EXPLAIN ANALYZE");
        await Assertions.Expect(view).ToContainTextAsync("on events");
        // The scan of 100,000 rows: its actual rows, its time and its share of the whole are on the page.
        var scan = view.GetByTestId("plan-node").Filter(new() { HasText = "on events" }).First;
        await Assertions.Expect(scan.GetByTestId("actual-rows")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d[\d,]*$"));
        await Assertions.Expect(scan.GetByTestId("share")).ToContainTextAsync("%");
        Assert.True(await view.GetByTestId("plan-node").CountAsync() >= 2, "an aggregate over a scan has at least two nodes");
        await view.ScrollIntoViewIfNeededAsync();
        await RoseConsoleFixture.ScreenshotAsync(page, "performance-measure-" + scheme);

        await using var conn = new NpgsqlConnection(fixture.ControlConnection);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM rose.audit_log WHERE executor_id = 'alice' AND strpos(sql_text, $1) > 0", conn);
        cmd.Parameters.AddWithValue(marker);
        Assert.True((long)(await cmd.ExecuteScalarAsync())! >= 1, "the measured statement is not in the audit log");
        await page.Context.CloseAsync();
    }
}
