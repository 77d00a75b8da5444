using System.Diagnostics;
using System.Net.Sockets;

namespace Rose.Console.Tests.Mcp;

/// <summary>
/// A real OpenID provider (tests/oidc/provider.mjs) and the console on a fixed loopback port configured
/// to sign people in through it and to accept its access tokens at /mcp (the resource is the console's own URL).
/// </summary>
public sealed class OAuthConsole : IAsyncDisposable
{
    private readonly Process provider;

    private OAuthConsole(Process provider, RoseAppFactory settings, RealHost host, string resource)
    {
        this.provider = provider;
        Settings = settings;
        Host = host;
        Resource = resource;
    }

    /// <summary>The console's settings and databases.</summary>
    public RoseAppFactory Settings { get; }

    public RealHost Host { get; }

    /// <summary>The MCP endpoint's URL, the audience of the provider's access tokens.</summary>
    public string Resource { get; }

    public static async Task<OAuthConsole> StartAsync(PostgresServerFixture pg)
    {
        var rosePort = FreePort();
        var providerPort = FreePort();
        var roseUrl = $"http://127.0.0.1:{rosePort}";
        var resource = roseUrl + "/mcp";
        var provider = await StartProviderAsync(providerPort, resource, roseUrl);
        var settings = await RoseAppFactory.CreateAsync(pg, extra: new Dictionary<string, string?>
        {
            ["Rose:Auth:Oidc:Authority"] = $"http://127.0.0.1:{providerPort}",
            ["Rose:Auth:Oidc:ClientId"] = "rose-console",
            ["Rose:Auth:Oidc:ClientSecret"] = "rose-console-secret",
            ["Rose:Auth:Oidc:Scopes"] = "openid profile email roles",
            ["Rose:Auth:Oidc:RoleMap:rose-approvers"] = "approver",
            ["Rose:Auth:Oidc:RoleMap:rose-admins"] = "admin",
            ["Rose:Auth:Oidc:McpResource"] = resource,
            ["Rose:Auth:Oidc:McpScopes"] = "mcp",
        });
        var host = await RealHost.StartAsync(settings.Settings, url: roseUrl);
        return new OAuthConsole(provider, settings, host, resource);
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        await Settings.DisposeAsync();
        provider.Kill(entireProcessTree: true);
        await provider.WaitForExitAsync();
        provider.Dispose();
    }

    private static async Task<Process> StartProviderAsync(int port, string mcpResource, string roseUrl)
    {
        var dir = Path.Combine(McpProcess.RepoRoot(), "tests", "oidc");
        if (!Directory.Exists(Path.Combine(dir, "node_modules", "oidc-provider")))
        {
            var (code, output) = await TypeScriptClientTests.RunProcessAsync("npm", ["ci", "--no-audit", "--no-fund"], dir, [], TimeSpan.FromMinutes(5));
            Assert.True(code == 0, "npm ci failed in tests/oidc:\n" + output);
        }

        var info = new ProcessStartInfo("node") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "provider.mjs", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--mcp-resource", mcpResource,
                     "--redirect", roseUrl + "/oidc/callback", "--post-logout", roseUrl + "/signed-out" })
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info)!;
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await process.StandardOutput.ReadLineAsync(cts.Token) is { } line)
        {
            if (line.Contains("listening", StringComparison.Ordinal))
            {
                return process;
            }
        }

        throw new InvalidOperationException("oidc-provider did not start");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>One <see cref="OAuthConsole"/> for all the tests of a class.</summary>
public sealed class SharedOAuthConsole : SharedFixture<OAuthConsole>;
