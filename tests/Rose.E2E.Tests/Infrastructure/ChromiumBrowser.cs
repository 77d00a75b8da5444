namespace Rose.E2E.Tests.Infrastructure;

/// <summary>
/// Headless Chromium from the machine (/usr/bin/chromium; Playwright's own download does not work
/// here), launched once and shared. Each test takes its own context, so cookies never leak between tests.
/// </summary>
public sealed class ChromiumBrowser : IAsyncDisposable
{
    public const string DefaultExecutable = "/usr/bin/chromium";

    private static readonly string[] Flags =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];

    private readonly IPlaywright playwright;

    private ChromiumBrowser(IPlaywright playwright, IBrowser browser)
    {
        this.playwright = playwright;
        Browser = browser;
    }

    public IBrowser Browser { get; }

    /// <summary>Launches Chromium; ROSE_E2E_CHROMIUM overrides the executable, ROSE_E2E_HEADED=1 shows the window.</summary>
    public static async Task<ChromiumBrowser> LaunchAsync()
    {
        // The console answers over a live circuit on a shared 2-core machine: give assertions room.
        Assertions.SetDefaultExpectTimeout(15_000);
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("ROSE_E2E_CHROMIUM") ?? DefaultExecutable,
            Headless = Environment.GetEnvironmentVariable("ROSE_E2E_HEADED") != "1",
            Args = Flags,
        });
        return new ChromiumBrowser(playwright, browser);
    }

    /// <summary>
    /// A fresh context (own cookies, downloads allowed, clipboard granted) sized like a 1366x768 laptop,
    /// whose system colour scheme is <paramref name="colorScheme"/> (light unless given) from its first page on.
    /// </summary>
    public async Task<IBrowserContext> NewContextAsync(Uri baseUrl, ColorScheme colorScheme = ColorScheme.Light)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseUrl.ToString(),
            ViewportSize = new ViewportSize { Width = 1366, Height = 768 },
            AcceptDownloads = true,
            ColorScheme = colorScheme,
        });
        await context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"], new BrowserContextGrantPermissionsOptions { Origin = baseUrl.ToString().TrimEnd('/') });
        context.SetDefaultTimeout(15_000);
        return context;
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        playwright.Dispose();
    }
}
