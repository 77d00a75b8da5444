using Rose.E2E.Tests.Infrastructure;

namespace Rose.E2E.Tests.Workbench;

/// <summary>Each result tab's own CSV export, clicked in real Chromium and read back from the downloaded file.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class WorkbenchResultExportTests(RoseConsoleFixture fixture) : SignedInWorkbenchTests(fixture)
{
    [Fact]
    public async Task ExportResult_SecondTab_DownloadsThatResultSetOnly()
    {
        await Workbench.SetSqlAsync("SELECT id, name FROM widgets WHERE id <= 2 ORDER BY id;\nSELECT id, note FROM widgets WHERE id IN (1, 3) ORDER BY id;");
        await Page.Keyboard.PressAsync("Escape");
        await Page.Keyboard.PressAsync("Control+Shift+Enter");
        await Assertions.Expect(Workbench.ResultTabs).ToHaveCountAsync(2);

        await Workbench.ResultTabs.Nth(1).ClickAsync();
        var export = Page.Locator("[data-testid=export-result]:visible");
        await Assertions.Expect(export).ToHaveCountAsync(1);
        var download = await Page.RunAndWaitForDownloadAsync(() => export.ClickAsync());

        Assert.Equal("id,note\r\n1,note 1\r\n3,\r\n", await File.ReadAllTextAsync(await download.PathAsync()));
    }

    [Fact]
    public async Task ExportResult_BatchWithWrite_IsNotOffered()
    {
        // Exporting runs the batch again; a batch that writes would repeat its writes, so no tab offers it.
        await Workbench.SetSqlAsync("INSERT INTO scratch SELECT 1 WHERE false RETURNING id;\nSELECT 1 AS one;");
        await Page.Keyboard.PressAsync("Escape");
        await Page.Keyboard.PressAsync("Control+Shift+Enter");

        await Assertions.Expect(Workbench.ResultTabs).ToHaveCountAsync(2);
        await Assertions.Expect(Workbench.ResultTabs.Nth(0)).ToContainTextAsync("1: INSERT (0)");
        await Assertions.Expect(Page.Locator("[data-testid=result-grid] th")).ToHaveCountAsync(2);
        await Assertions.Expect(Page.Locator("[data-testid=export-result]")).ToHaveCountAsync(0);
    }
}
