using Rose.E2E.Tests.Infrastructure;

namespace Rose.E2E.Tests.Workbench;

[Collection(ConsoleCollection.Name)]
public sealed class WorkbenchAccessTests(RoseConsoleFixture fixture)
{
    [Fact]
    public async Task Open_AsViewer_ShowsRoleCannotRunSql()
    {
        var page = await fixture.SignInAsync("dave", "/workbench");
        try
        {
            await Assertions.Expect(page.Locator("[data-testid=role-message]")).ToContainTextAsync("Your role cannot run SQL");
            Assert.Equal(0, await page.Locator("#wb-editor").CountAsync());
        }
        finally
        {
            await page.Context.CloseAsync();
        }
    }
}
