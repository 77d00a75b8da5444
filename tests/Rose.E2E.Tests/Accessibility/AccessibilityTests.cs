using Rose.E2E.Tests.Infrastructure;

namespace Rose.E2E.Tests.Accessibility;

/// <summary>
/// Every page of the console, signed in as an admin (who sees them all), in both themes: no serious or
/// critical axe-core violation, and no sideways scroll on a 1366x768 laptop screen or at 800 px.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class AccessibilityTests(RoseConsoleFixture fixture)
{
    public static TheoryData<string> Pages => new() { "/", "/workbench", "/approvals", "/audit", "/migrations", "/devlogs", "/validation", "/agents", "/performance" };

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task Page_LightTheme_HasNoSeriousViolationsAndNoSidewaysScroll(string path)
    {
        var page = await OpenAsync(path, "light");
        await AssertAccessibleAsync(page, path);
        Assert.Equal(0, await AxeCore.SidewaysOverflowAsync(page));
        await RoseConsoleFixture.ScreenshotAsync(page, "page" + (path == "/" ? "-home" : path.Replace('/', '-')));
        await page.Context.CloseAsync();
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task Page_DarkTheme_HasNoSeriousViolations(string path)
    {
        var page = await OpenAsync(path, "dark");
        await Assertions.Expect(page.Locator(".rose-root.rose-dark")).ToHaveCountAsync(1);
        await AssertAccessibleAsync(page, path);
        await page.Context.CloseAsync();
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task Page_At800Pixels_FitsAndNavigationOpensFromTheMenu(string path)
    {
        var page = await OpenAsync(path, "light");
        await page.SetViewportSizeAsync(800, 700);
        await page.WaitForTimeoutAsync(300);
        Assert.Equal(0, await AxeCore.SidewaysOverflowAsync(page));

        // Below the drawer's breakpoint the navigation is behind the menu button.
        await page.GetByTestId("nav-toggle").ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Audit", Exact = true })).ToBeVisibleAsync();
        await page.Context.CloseAsync();
    }

    private async Task<IPage> OpenAsync(string path, string scheme)
    {
        // The system preference is read when the circuit starts: the context has it from its first page, so
        // the page is loaded once (setting it afterwards needed a second load and a second circuit).
        var dark = scheme == "dark";
        var page = await fixture.SignInAsync("carol", path, dark ? ColorScheme.Dark : ColorScheme.Light);
        await KeyboardTests.ShellReadyAsync(page);
        await Assertions.Expect(page.Locator("h1").First).ToBeVisibleAsync();
        // The shell is ready once the theme is settled (system preference read over JS interop, same render).
        await Assertions.Expect(page.Locator(".rose-root.rose-dark")).ToHaveCountAsync(dark ? 1 : 0);
        // NetworkIdle needs 500 ms without a request; the workbench's editor loads its scripts after the first
        // render, which on a loaded 2-core CI machine took longer than the context's 15 s default once.
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle, new() { Timeout = 45_000 });
        await page.WaitForTimeoutAsync(500);
        return page;
    }

    private static async Task AssertAccessibleAsync(IPage page, string path)
    {
        var violations = await AxeCore.SeriousViolationsAsync(page);
        Assert.True(violations.Count == 0, $"{path}: {violations.Count} serious/critical axe-core violation(s):\n" + string.Join("\n", violations));
    }
}
