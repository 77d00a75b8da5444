using System.Security.Claims;
using Bunit;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using Rose.Console.Auth;
using Rose.Console.Components.Layout;

namespace Rose.Console.Tests.Components.Layout;

/// <summary>The command palette: what it offers for a query, and how typing, arrows and Enter navigate.</summary>
public sealed class PaletteTests : ComponentTestContext
{
    private static ClaimsPrincipal User(string role) =>
        new(new ClaimsIdentity(RoseRoles.Including(role).Select(r => new Claim(ClaimTypes.Role, r)).Append(new Claim(ClaimTypes.Name, "t")), "test"));

    private static readonly PalettePending[] Pending = [new(12, "demo", "DROP TABLE", "bot")];

    [Fact]
    public void Search_EmptyQueryAsViewer_OffersOnlyViewerPages()
    {
        var titles = PaletteIndex.Search("", User(RoseRoles.Viewer), [], []).Select(c => c.Title).ToList();

        Assert.Contains("Audit", titles);
        Assert.DoesNotContain("Workbench", titles);
        Assert.DoesNotContain("Agents", titles);
    }

    [Fact]
    public void Search_EmptyQueryAsAdmin_OffersAgents()
    {
        var titles = PaletteIndex.Search("", User(RoseRoles.Admin), [], []).Select(c => c.Title);

        Assert.Contains("Agents", titles);
        Assert.Contains("Workbench", titles);
    }

    [Theory]
    [InlineData("#42", "audit?detail=42&before=43")]
    [InlineData("42", "audit?detail=42&before=43")]
    [InlineData("approval 42", "approvals/42")]
    [InlineData("audit #42", "audit?detail=42&before=43")]
    public void Search_AnId_PutsTheMatchingEntryFirst(string query, string href)
    {
        var first = PaletteIndex.Search(query, User(RoseRoles.Viewer), [], []).First();

        Assert.Equal(href, first.Href);
    }

    [Fact]
    public void Search_TargetName_OffersItsOverviewAndFilteredPages()
    {
        var hrefs = PaletteIndex.Search("demo", User(RoseRoles.Viewer), ["demo", "other"], []).Select(c => c.Href).ToList();

        Assert.Contains("/?target=demo", hrefs);
        Assert.Contains("audit?database=demo", hrefs);
        Assert.Contains("validation?database=demo", hrefs);
        Assert.DoesNotContain("/?target=other", hrefs);
    }

    [Fact]
    public void Search_Drop_FindsThePendingApproval()
    {
        var result = PaletteIndex.Search("drop", User(RoseRoles.Viewer), [], Pending);

        Assert.Contains(result, c => c.Href == "approvals/12" && c.Group == "Pending approvals");
    }

    [Fact]
    public async Task Palette_TypeAndEnter_NavigatesToTheFirstResult()
    {
        var (cut, nav) = await OpenAsync(User(RoseRoles.Viewer));

        cut.Find("[data-testid=palette-input]").Input("devl");
        cut.WaitForAssertion(() => Assert.Equal("Devlogs", cut.Find(".rose-palette-selected .rose-palette-title").TextContent));
        cut.Find("[data-testid=palette-input]").KeyDown(new Microsoft.AspNetCore.Components.Web.KeyboardEventArgs { Key = "Enter" });

        cut.WaitForAssertion(() => Assert.EndsWith("/devlogs", nav.Uri, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Palette_ArrowDown_SelectsTheNextResult()
    {
        var (cut, nav) = await OpenAsync(User(RoseRoles.Viewer));

        cut.Find("[data-testid=palette-input]").Input("77");
        cut.WaitForAssertion(() => Assert.Equal("Audit entry #77", cut.Find(".rose-palette-selected .rose-palette-title").TextContent));
        cut.Find("[data-testid=palette-input]").KeyDown(new Microsoft.AspNetCore.Components.Web.KeyboardEventArgs { Key = "ArrowDown" });
        cut.WaitForAssertion(() => Assert.Equal("Approval request #77", cut.Find(".rose-palette-selected .rose-palette-title").TextContent));
        cut.Find("[data-testid=palette-input]").KeyDown(new Microsoft.AspNetCore.Components.Web.KeyboardEventArgs { Key = "Enter" });

        cut.WaitForAssertion(() => Assert.EndsWith("/approvals/77", nav.Uri, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Palette_NoMatch_SaysSo()
    {
        var (cut, _) = await OpenAsync(User(RoseRoles.Viewer));

        cut.Find("[data-testid=palette-input]").Input("zzzz-nothing");

        cut.WaitForAssertion(() => Assert.Contains("Nothing matches", cut.Find("[data-testid=palette-empty]").TextContent, StringComparison.Ordinal));
        Assert.Empty(cut.FindAll("[data-testid=palette-item]"));
    }

    [Fact]
    public async Task Palette_ClickAnItem_Navigates()
    {
        var (cut, nav) = await OpenAsync(User(RoseRoles.Viewer));

        cut.FindAll("[data-testid=palette-item]").First(li => li.TextContent.Contains("Audit", StringComparison.Ordinal)).Click();

        cut.WaitForAssertion(() => Assert.EndsWith("/audit", nav.Uri, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ShortcutHelp_ListsCtrlK()
    {
        var provider = Render<MudDialogProvider>();
        var dialogs = Services.GetRequiredService<IDialogService>();

        await provider.InvokeAsync(() => dialogs.ShowAsync<ShortcutHelp>("Keyboard shortcuts"));

        provider.WaitForAssertion(() => Assert.Contains("command palette", provider.Find("[data-testid=shortcut-help]").TextContent, StringComparison.Ordinal));
        provider.Find("[data-testid=shortcut-help-close]").Click();
        provider.WaitForAssertion(() => Assert.Empty(provider.FindAll("[data-testid=shortcut-help]")));
    }

    private async Task<(IRenderedComponent<MudDialogProvider> Cut, NavigationManager Nav)> OpenAsync(ClaimsPrincipal user)
    {
        var provider = Render<MudDialogProvider>();
        var dialogs = Services.GetRequiredService<IDialogService>();
        await provider.InvokeAsync(() => dialogs.ShowAsync<CommandPalette>("Go to", new DialogParameters<CommandPalette>
        {
            { p => p.User, user },
            { p => p.Targets, ["demo"] },
            { p => p.Pending, Pending },
        }));
        provider.WaitForElement("[data-testid=palette-input]");
        return (provider, Services.GetRequiredService<NavigationManager>());
    }
}
