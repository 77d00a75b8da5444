using Bunit;
using MudBlazor;
using Rose.Console.Components.Pages.Agents;

namespace Rose.Console.Tests.Components.Agents;

/// <summary>The one-time API key dialog and the agents page's error list.</summary>
public sealed class ApiKeyDialogTests : ComponentTestContext
{
    private const string Key = "rose_0123456789abcdef0123456789abcdef0123456789abcdef";

    private async Task<(IRenderedComponent<MudDialogProvider> Cut, IDialogReference Dialog)> ShowAsync(DateTimeOffset? expires)
    {
        var provider = Render<MudDialogProvider>();
        var dialogs = Services.GetRequiredService<IDialogService>();
        var dialog = await provider.InvokeAsync(() => dialogs.ShowAsync<ApiKeyDialog>("New API key",
            new DialogParameters<ApiKeyDialog> { { d => d.Key, Key }, { d => d.ExpiresAt, expires } }));
        provider.WaitForElement("[data-testid=new-key]");
        return (provider, dialog);
    }

    [Fact]
    public async Task Show_Key_IsInAReadOnlyFieldWithItsExpiry()
    {
        var (cut, _) = await ShowAsync(new DateTimeOffset(2027, 1, 2, 3, 4, 0, TimeSpan.Zero));

        var input = cut.Find("[data-testid=new-key]");
        Assert.Equal(Key, input.GetAttribute("value"));
        Assert.True(input.HasAttribute("readonly"));
        Assert.Equal("Expires 2027-01-02 03:04 UTC.", cut.Find("[data-testid=key-expires]").TextContent);
    }

    [Fact]
    public async Task Done_Click_ClosesWithOk()
    {
        var (cut, dialog) = await ShowAsync(null);

        cut.Find("[data-testid=key-dialog-done]").Click();

        var result = await dialog.Result;
        Assert.False(result!.Canceled);
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=new-key]")));
    }

    [Fact]
    public async Task Copy_Click_WritesTheKeyToTheClipboard()
    {
        var (cut, _) = await ShowAsync(null);

        cut.Find("button[aria-label='Copy the key']").Click();

        var call = JSInterop.Invocations["navigator.clipboard.writeText"].Single();
        Assert.Equal(Key, call.Arguments[0]);
        cut.WaitForElement("[data-testid=key-copied]");
    }

    [Fact]
    public void Errors_Messages_AreListedAndNoneRenderNothing()
    {
        var cut = Render<Errors>(p => p.Add(e => e.Messages, ["bad id", "bad policy"]));
        Assert.Equal(["bad id", "bad policy"], cut.FindAll("[data-testid=errors] li").Select(li => li.TextContent));

        var none = Render<Errors>(p => p.Add(e => e.Messages, []));
        Assert.Empty(none.Markup.Trim());
    }
}
