namespace Rose.E2E.Tests.Workbench;

/// <summary>Page object for /workbench: typing into Monaco and running through the keyboard, like a user.</summary>
public sealed class WorkbenchPage(IPage page)
{
    public IPage Page => page;

    public ILocator Results => page.Locator(".wb-results");

    /// <summary>The result tabs (one per statement), not the side panel's Schema/History tabs.</summary>
    public ILocator ResultTabs => Results.GetByRole(AriaRole.Tab);

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

    /// <summary>
    /// Selects the last <paramref name="count"/> characters before the cursor with Shift+Left, like a
    /// user would. Escape first closes a completion popup (Escape after selecting would drop the selection).
    /// </summary>
    public async Task SelectLastCharsAsync(int count)
    {
        await page.Keyboard.PressAsync("Escape");
        for (var i = 0; i < count; i++)
        {
            await page.Keyboard.PressAsync("Shift+ArrowLeft");
        }
    }

    /// <summary>Ctrl+Enter without the Escape of <see cref="RunCurrentAsync"/>, which would cancel a selection.</summary>
    public Task RunKeepingSelectionAsync() => page.Keyboard.PressAsync("Control+Enter");

    public async Task RunAsync(string sql)
    {
        await SetSqlAsync(sql);
        await RunCurrentAsync();
    }
}
