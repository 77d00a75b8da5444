namespace Rose.E2E.Tests.Auth;

/// <summary>
/// A real OIDC provider (tests/oidc/provider.mjs, npm oidc-provider), the real console binary as a
/// child process configured against it over a fresh control database, and Chromium.
/// </summary>
public class OidcSignInFixture : IAsyncLifetime
{
    private readonly string roleClaim;

    public OidcSignInFixture()
        : this("roles")
    {
    }

    /// <summary>A fixture whose console reads provider roles from <paramref name="roleClaim"/> (Rose:Auth:Oidc:RoleClaim).</summary>
    protected OidcSignInFixture(string roleClaim) => this.roleClaim = roleClaim;

    public const string ClientId = "rose-console";
    public const string ClientSecret = "rose-console-secret";

    private readonly List<IAsyncDisposable> children = [];
    private IPlaywright? playwright;

    public string ConsoleUrl { get; private set; } = "";
    public string ProviderUrl { get; private set; } = "";
    public ChildProcess Console { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public PostgresServer Postgres { get; private set; } = null!;
    public string ControlConnection { get; private set; } = "";
    public string TargetConnection { get; private set; } = "";

    public async Task InitializeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        var root = RepositoryRoot();
        Postgres = await PostgresServer.GetAsync();
        ControlConnection = await Postgres.CreateDatabaseAsync("e2e_oidc_control", cts.Token);
        TargetConnection = await Postgres.CreateDatabaseAsync("e2e_oidc_target", cts.Token);

        var consolePort = ChildProcess.FreePort();
        var providerPort = ChildProcess.FreePort();
        ConsoleUrl = $"http://127.0.0.1:{consolePort}";
        ProviderUrl = $"http://127.0.0.1:{providerPort}";

        var oidcDir = Path.Combine(root, "tests", "oidc");
        if (!Directory.Exists(Path.Combine(oidcDir, "node_modules", "oidc-provider")))
        {
            await using var npm = ChildProcess.Start("npm", ["ci", "--no-audit", "--no-fund"], oidcDir, new Dictionary<string, string>());
            await npm.WaitForExitAsync(cts.Token);
        }

        var provider = ChildProcess.Start("node",
            ["provider.mjs", "--port", providerPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
             "--redirect", ConsoleUrl + "/oidc/callback", "--post-logout", ConsoleUrl + "/signed-out"],
            oidcDir, new Dictionary<string, string>());
        children.Add(provider);
        await provider.WaitForAsync(ProviderUrl + "/.well-known/openid-configuration", TimeSpan.FromSeconds(60), cts.Token);

        var binary = ConsoleBinary(root);
        Console = ChildProcess.Start(binary, [], Path.GetDirectoryName(binary)!, new Dictionary<string, string>
        {
            // Development for the static web assets of the build output; dev login stays off because OIDC is configured.
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["ASPNETCORE_URLS"] = ConsoleUrl,
            ["Rose__ControlConnection"] = ControlConnection,
            ["Rose__Targets__demo__ConnectionString"] = TargetConnection,
            ["Rose__Targets__demo__Environment"] = "dev",
            ["Rose__Auth__Oidc__Authority"] = ProviderUrl,
            ["Rose__Auth__Oidc__ClientId"] = ClientId,
            ["Rose__Auth__Oidc__ClientSecret"] = ClientSecret,
            ["Rose__Auth__Oidc__Scopes"] = "openid profile email roles",
            ["Rose__Auth__Oidc__RoleClaim"] = roleClaim,
            ["Rose__Auth__Oidc__RoleMap__rose-approvers"] = "approver",
            ["Rose__Auth__Oidc__RoleMap__rose-admins"] = "admin",
            ["Logging__LogLevel__Default"] = "Information",
        });
        children.Add(Console);
        await Console.WaitForAsync(ConsoleUrl + "/readyz", TimeSpan.FromSeconds(120), cts.Token);

        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("ROSE_CHROMIUM") ?? "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"],
        });
    }

    /// <summary>Makes the provider's token endpoint hand out a normal, expired, tampered or rogue-signed id_token.</summary>
    public async Task SetProviderModeAsync(string mode)
    {
        using var http = new HttpClient();
        using var response = await http.PostAsync($"{ProviderUrl}/__test/mode?value={mode}", null);
        response.EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        playwright?.Dispose();
        foreach (var child in Enumerable.Reverse(children))
        {
            await child.DisposeAsync();
        }

        foreach (var connection in new[] { ControlConnection, TargetConnection }.Where(c => c.Length > 0))
        {
            await Postgres.DropDatabaseAsync(new Npgsql.NpgsqlConnectionStringBuilder(connection).Database!, CancellationToken.None);
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Rose.Console.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Rose.Console.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The console built by the same configuration as these tests (ROSE_CONSOLE_BIN overrides).</summary>
    private static string ConsoleBinary(string root)
    {
        var fromEnv = Environment.GetEnvironmentVariable("ROSE_CONSOLE_BIN");
        if (!string.IsNullOrEmpty(fromEnv))
        {
            return fromEnv;
        }

        return Rose.Tests.Shared.BuiltProgram.Find("Rose.Console", "Rose.Console");
    }
}
