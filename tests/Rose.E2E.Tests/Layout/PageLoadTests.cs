using Rose.E2E.Tests.Infrastructure;

namespace Rose.E2E.Tests.Layout;

/// <summary>
/// A full page load shows the prerendered page and then the interactive one without blanking in between
/// (PrerenderHandoff). Before the handoff, each of these pages rendered its content, emptied it for the
/// 20-150 ms its interactive load took, and filled it again; a click in that moment was lost. Before the live
/// connection is up the page says so (rose.css: a progress cursor and a thin bar).
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class PageLoadTests(RoseConsoleFixture fixture)
{
    // Records the length of <main>'s text at every DOM change from the first byte of the page on.
    private const string Recorder = """
        window.__roseMainText = [];
        new MutationObserver(() => {
            const main = document.querySelector('main');
            const n = main ? main.innerText.length : -1;
            const log = window.__roseMainText;
            if (log.length === 0 || log[log.length - 1] !== n) { log.push(n); }
        }).observe(document, { subtree: true, childList: true, characterData: true });
        """;

    [Fact]
    public async Task BeforeTheCircuitStarts_ThePageShowsItIsConnecting()
    {
        var context = await fixture.Chromium.NewContextAsync(fixture.BaseUrl);
        try
        {
            var page = await context.NewPageAsync();
            await page.GotoAsync("dev/login?user=carol&returnUrl=%2F", new() { Timeout = 60_000 });
            await RoseConsoleFixture.WaitInteractiveAsync(page);
            // No live connection for the next page: it stays the prerendered page, whose buttons do nothing yet.
            await page.RouteAsync("**/_blazor**", route => route.AbortAsync());
            await page.GotoAsync("audit");
            var main = page.Locator("main[data-interactive='0']");
            await Assertions.Expect(main).ToHaveCSSAsync("cursor", "progress");
            // The bar shows once the wait passes 300 ms.
            await page.WaitForTimeoutAsync(600);
            Assert.Equal("1", await main.EvaluateAsync<string>("m => getComputedStyle(m, '::before').opacity"));
        }
        finally
        {
            await context.CloseAsync();
        }
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/audit")]
    [InlineData("/migrations?database=demo")]
    [InlineData("/devlogs")]
    [InlineData("/validation")]
    [InlineData("/performance")]
    public async Task FullLoad_KeepsThePageContent_WhenTheCircuitStarts(string path)
    {
        var context = await fixture.Chromium.NewContextAsync(fixture.BaseUrl);
        try
        {
            await context.AddInitScriptAsync(Recorder);
            var page = await context.NewPageAsync();
            await page.GotoAsync($"dev/login?user=carol&returnUrl={Uri.EscapeDataString(path)}", new() { Timeout = 60_000 });
            await RoseConsoleFixture.WaitInteractiveAsync(page);
            // Past the interactive render and whatever it loads.
            await page.WaitForTimeoutAsync(1_500);
            var lengths = await page.EvaluateAsync<int[]>("window.__roseMainText");
            var final = lengths[^1];
            Assert.True(final > 100, $"{path}: the page shows almost nothing ({final} characters): {string.Join(", ", lengths)}");
            // Content (nearly all of the final text), then a main with a good part of it gone, is the blank this test
            // is about (the page's own data went; the heading and filters around it stayed).
            var shown = Array.FindIndex(lengths, n => n >= final * 0.9);
            Assert.True(shown >= 0, $"{path}: never showed its content: {string.Join(", ", lengths)}");
            var blank = Array.FindIndex(lengths, shown, n => n < final * 0.7);
            Assert.True(blank < 0, $"{path}: the page blanked after showing its content (text lengths in order: {string.Join(", ", lengths)})");
        }
        finally
        {
            await context.CloseAsync();
        }
    }
}
