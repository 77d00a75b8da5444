using Microsoft.JSInterop;

namespace Rose.Console.Components.Layout;

/// <summary>
/// The shell: app bar (user, role, theme, palette, sign-out), navigation drawer, and the keyboard
/// shortcuts Ctrl+K (palette) and ? (help). The theme follows the system until the user picks one;
/// the pick is kept in this browser per user.
/// </summary>
public partial class MainLayout : IAsyncDisposable
{
    [Inject] private IJSRuntime JS { get; set; } = default!;
    [Inject] private IDialogService Dialogs { get; set; } = default!;
    [Inject] private AuthenticationStateProvider Auth { get; set; } = default!;
    [Inject] private TargetRegistry Targets { get; set; } = default!;
    [Inject] private ApprovalStore Approvals { get; set; } = default!;
    [Inject] private ILogger<MainLayout> Logger { get; set; } = default!;

    private MudThemeProvider themeProvider = default!;
    private DotNetObjectReference<MainLayout>? self;
    private bool drawerOpen = true;
    private bool isDark;

    /// <summary>"dark", "light", or null: follow the system.</summary>
    private string? themeChoice;

    private bool dialogOpen;
    private IDialogReference? openDialog;

    private Task CloseDialogAsync()
    {
        openDialog?.Close();
        return Task.CompletedTask;
    }

    /// <summary>True once the shortcuts are listening and the theme is settled (tests wait for it).</summary>
    private bool shellReady;

    private string ThemeLabel => isDark ? "Switch to the light theme" : "Switch to the dark theme";

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!firstRender)
        {
            return;
        }

        self = DotNetObjectReference.Create(this);
        try
        {
            await JS.InvokeVoidAsync("roseShell.register", self);
            var saved = await JS.InvokeAsync<string?>("roseShell.getTheme", await UserKeyAsync());
            var systemDark = saved is null && await themeProvider.GetSystemDarkModeAsync();

            // A toggle clicked while these calls ran is the user's latest word: keep it.
            if (themeChoice is null)
            {
                themeChoice = saved;
                isDark = saved is null ? systemDark : saved == "dark";
            }

            if (saved is null)
            {
                await themeProvider.WatchSystemDarkModeAsync(OnSystemDarkModeChanged);
            }

            shellReady = true;
            StateHasChanged();
        }
        catch (JSDisconnectedException)
        {
            // The browser left before the shell was wired; nothing to set up.
        }
    }

    private Task OnSystemDarkModeChanged(bool dark)
    {
        if (themeChoice is null)
        {
            isDark = dark;
            StateHasChanged();
        }

        return Task.CompletedTask;
    }

    private async Task ToggleThemeAsync()
    {
        isDark = !isDark;
        themeChoice = isDark ? "dark" : "light";
        await JS.InvokeVoidAsync("roseShell.setTheme", await UserKeyAsync(), themeChoice);
    }

    /// <summary>Called by rose-shell.js for Ctrl+K and ?.</summary>
    [JSInvokable]
    public Task OnShortcut(string name) => InvokeAsync(() => name switch
    {
        "palette" => OpenPaletteAsync(),
        "help" => OpenHelpAsync(),
        "escape" => CloseDialogAsync(),
        _ => Task.CompletedTask,
    });

    private async Task OpenPaletteAsync()
    {
        var user = (await Auth.GetAuthenticationStateAsync()).User;
        if (dialogOpen || user.Identity?.IsAuthenticated != true)
        {
            return;
        }

        var parameters = new DialogParameters<CommandPalette>
        {
            { p => p.User, user },
            { p => p.Targets, Targets.All.Select(t => t.Name).ToList() },
            { p => p.Pending, await PendingAsync(user) },
        };
        await ShowAsync<CommandPalette>("Go to", parameters, MaxWidth.Small);
    }

    private Task OpenHelpAsync() => ShowAsync<ShortcutHelp>("Keyboard shortcuts", [], MaxWidth.Small);

    private async Task ShowAsync<T>(string title, DialogParameters parameters, MaxWidth width) where T : IComponent
    {
        if (dialogOpen)
        {
            return;
        }

        dialogOpen = true;
        try
        {
            var dialog = openDialog = await Dialogs.ShowAsync<T>(title, parameters, new DialogOptions { MaxWidth = width, FullWidth = true, CloseOnEscapeKey = true, Position = DialogPosition.TopCenter, DefaultFocus = DefaultFocus.FirstChild });
            await dialog.Result;
        }
        finally
        {
            dialogOpen = false;
            openDialog = null;
        }
    }

    /// <summary>The pending requests the palette lists; an unreachable control database leaves them out.</summary>
    private async Task<IReadOnlyList<PalettePending>> PendingAsync(ClaimsPrincipal user)
    {
        if (!user.IsInRole(Rose.Console.Auth.RoseRoles.Viewer))
        {
            return [];
        }

        try
        {
            var pending = await Approvals.ListAsync(new ApprovalFilter { Pending = true, Limit = 20 }, CancellationToken.None);
            return pending.Select(r => new PalettePending(r.Id, r.Database, string.Join(", ", r.Operations), r.RequesterName)).ToList();
        }
        catch (Rose.Core.Errors.DatabaseException ex)
        {
            Logger.LogWarning(ex, "Pending approvals could not be listed for the command palette");
            return [];
        }
    }

    private async Task<string> UserKeyAsync() =>
        (await Auth.GetAuthenticationStateAsync()).User.FindFirstValue(ClaimTypes.NameIdentifier) ?? "anonymous";

    public async ValueTask DisposeAsync()
    {
        if (self is not null)
        {
            try
            {
                await JS.InvokeVoidAsync("roseShell.unregister");
            }
            catch (JSDisconnectedException)
            {
                // The circuit is gone with its page; the listener went with it.
            }

            self.Dispose();
        }

        GC.SuppressFinalize(this);
    }
}
