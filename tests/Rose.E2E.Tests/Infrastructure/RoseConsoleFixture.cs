namespace Rose.E2E.Tests.Infrastructure;

/// <summary>
/// One real console process over fresh databases (a control database and a seeded `demo` target on
/// the shared test PostgreSQL server) plus one headless Chromium, shared by every test class in the
/// "console" collection. Tests open their own browser context with <see cref="SignInAsync"/>.
/// Derive and override <see cref="SeedTargetAsync"/> or <see cref="ConfigureEnvironment"/> for a
/// console with other data or settings (then declare your own collection for it).
/// </summary>
public class RoseConsoleFixture : IAsyncLifetime
{
    public const string AgentKey = "rose_e2e_agent_key_0123456789abcdef";

    /// <summary>Rows in demo's `events` table: enough to make the CSV export test meaningful.</summary>
    public const int EventRows = 100_000;

    private ConsoleProcess? console;
    private ChromiumBrowser? chromium;

    public PostgresServerFixture Postgres { get; } = new();

    /// <summary>Superuser connection string to the control database (schema rose).</summary>
    public string ControlConnection { get; private set; } = string.Empty;

    /// <summary>Superuser connection string to the `demo` target, for arranging data and checking effects.</summary>
    public string TargetConnection { get; private set; } = string.Empty;

    /// <summary>The environment the console runs with: start a second instance on the same databases with it.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; private set; } = new Dictionary<string, string>();

    public ConsoleProcess Console => console ?? throw new InvalidOperationException("The console is not started.");

    public ChromiumBrowser Chromium => chromium ?? throw new InvalidOperationException("Chromium is not started.");

    public Uri BaseUrl => Console.BaseUrl;

    public async Task InitializeAsync()
    {
        await Postgres.InitializeAsync();
        ControlConnection = await Postgres.CreateControlDatabaseAsync("e2e_control");
        TargetConnection = await Postgres.CreateDatabaseAsync("e2e_demo");
        await using (var conn = new NpgsqlConnection(TargetConnection))
        {
            await conn.OpenAsync();
            await SeedTargetAsync(conn, CancellationToken.None);
        }

        var environment = new Dictionary<string, string>
        {
            ["Rose__ControlConnection"] = ControlConnection,
            ["Rose__DataDir"] = Path.Combine(Path.GetTempPath(), "rose-e2e-" + Guid.NewGuid().ToString("N")[..8]),
            ["Rose__Targets__demo__ConnectionString"] = TargetConnection,
            ["Rose__Targets__demo__Environment"] = "dev",
            ["Rose__Agents__rose__ApiKey"] = AgentKey,
        };
        ConfigureEnvironment(environment);
        Environment = environment;
        console = await ConsoleProcess.StartAsync(environment!);
        chromium = await ChromiumBrowser.LaunchAsync();
    }

    /// <summary>
    /// Settings on top of appsettings.Development.json. The default lets operators call pg_sleep
    /// (index 8 appends to the operator's allowed_operations), which the cancel test needs.
    /// </summary>
    protected virtual void ConfigureEnvironment(IDictionary<string, string> environment) =>
        environment["Rose__Roles__operator__Policy__allowed_operations__8"] = "FUNCTION pg_sleep";

    /// <summary>Creates the demo tables: `widgets` (50 rows, some NULL notes), `events` (100,000 rows), `scratch` (empty).</summary>
    protected virtual async Task SeedTargetAsync(NpgsqlConnection target, CancellationToken ct)
    {
        // One statement per command: Rose turns off Npgsql's client-side splitting process-wide.
        string[] statements =
        [
            "CREATE TABLE widgets (id int PRIMARY KEY, name text NOT NULL, price numeric(12,2), note text, made timestamptz)",
            """
            INSERT INTO widgets
            SELECT g, 'widget ' || g, g * 1.5, CASE WHEN g % 3 = 0 THEN NULL ELSE 'note ' || g END,
                   timestamptz '2024-05-01 10:00:00+00' + g * interval '1 minute'
            FROM generate_series(1, 50) g
            """,
            "CREATE TABLE events (id bigint PRIMARY KEY, kind text NOT NULL, payload text, at timestamptz NOT NULL)",
            $"""
            INSERT INTO events
            SELECT g, (ARRAY['click', 'view', 'buy'])[1 + g % 3], 'payload, "quoted" ' || g, timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second'
            FROM generate_series(1, {EventRows}) g
            """,
            "CREATE TABLE scratch (id int)",
            "ANALYZE",
        ];
        foreach (var sql in statements)
        {
            await using var cmd = new NpgsqlCommand(sql, target);
            await cmd.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>
    /// A new browser context signed in as a development user (alice, bob, carol, dave), on returnUrl; its
    /// system colour scheme (which the console follows until the user picks a theme) is set before the first page.
    /// </summary>
    public async Task<IPage> SignInAsync(string user, string returnUrl = "/", ColorScheme colorScheme = ColorScheme.Light)
    {
        var context = await Chromium.NewContextAsync(BaseUrl, colorScheme);
        var page = await context.NewPageAsync();
        // The first page a fresh console renders (JIT, first circuit) can take longer than Playwright's 15 s on a loaded machine.
        await page.GotoAsync($"dev/login?user={Uri.EscapeDataString(user)}&returnUrl={Uri.EscapeDataString(returnUrl)}", new PageGotoOptions { Timeout = 60_000 });
        return page;
    }

    /// <summary>Waits until the page's circuit is live (the layout marks it): clicks before that go nowhere.</summary>
    public static Task WaitInteractiveAsync(IPage page) =>
        page.Locator("main[data-interactive='1']").WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });

    /// <summary>
    /// Clicks a MudTabs tab until <paramref name="shown"/> (something in its panel) is visible. MudTabs renders its
    /// headers again right after its first interactive render (its panels register then); on a loaded machine a
    /// click that lands in that moment can be lost (seen in CI on the migrations and performance tabs).
    /// </summary>
    public static async Task SelectTabAsync(IPage page, ILocator tab, ILocator shown)
    {
        for (var attempt = 1; ; attempt++)
        {
            await tab.ClickAsync();
            try
            {
                await shown.WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Visible, Timeout = 5_000 });
                return;
            }
            catch (TimeoutException) when (attempt < 4)
            {
            }
        }
    }

    /// <summary>Saves a full-page PNG to $ROSE_E2E_SCREENSHOTS/name.png when that variable is set (layout review, CI artefacts).</summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        var dir = System.Environment.GetEnvironmentVariable("ROSE_E2E_SCREENSHOTS");
        if (string.IsNullOrEmpty(dir))
        {
            return;
        }

        Directory.CreateDirectory(dir);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(dir, name + ".png") });
    }

    public async Task DisposeAsync()
    {
        if (chromium is not null)
        {
            await chromium.DisposeAsync();
        }

        if (console is not null)
        {
            await console.DisposeAsync();
        }

        await Postgres.DisposeAsync();
    }
}

/// <summary>Test classes in this collection share one console process and one browser, and run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class ConsoleCollection : ICollectionFixture<RoseConsoleFixture>
{
    public const string Name = "console";
}
