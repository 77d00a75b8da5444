using Microsoft.Playwright;

namespace Rose.E2E.Tests.Workbench;

/// <summary>Page object for /workbench: typing into Monaco and running through the keyboard, like a user.</summary>
public sealed class WorkbenchPage(IPage page)
{
    public IPage Page => page;

    public ILocator Results => page.Locator(".wb-results");

    /// <summary>Waits until the circuit is up and the editor module attached (the JS module marks the editor).</summary>
    public async Task WaitReadyAsync()
    {
        await page.WaitForURLAsync("**/workbench");
        await page.Locator("#wb-editor[data-rose-ready='1']").WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });
    }

    /// <summary>Replaces the editor text by typing it (InsertText: one input event, no auto-closing brackets).</summary>
    public async Task SetSqlAsync(string sql)
    {
        await page.Locator("#wb-editor .view-lines").ClickAsync();
        await page.Keyboard.PressAsync("Control+A");
        await page.Keyboard.PressAsync("Delete");
        await page.Keyboard.InsertTextAsync(sql);
    }

    /// <summary>Ctrl+Enter: runs the statement under the cursor. Escape first closes a completion popup.</summary>
    public async Task RunCurrentAsync()
    {
        await page.Keyboard.PressAsync("Escape");
        await page.Keyboard.PressAsync("Control+Enter");
    }

    public async Task RunAsync(string sql)
    {
        await SetSqlAsync(sql);
        await RunCurrentAsync();
    }
}
