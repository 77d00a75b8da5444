using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Rose.Console.Tests.Mcp;

/// <summary>
/// OAuth for people's MCP clients against a real OpenID provider (tests/oidc/provider.mjs, npm
/// oidc-provider): /mcp's protected resource metadata, the 401 that points to it, and the official
/// TypeScript SDK client signing a person in (code flow, PKCE, resource indicator) and acting as
/// that person under their role, audited as them on channel mcp.
/// </summary>
[Collection("postgres")]
public sealed class McpOAuthTests(PostgresServerFixture pg) : IAsyncLifetime
{
    private RoseAppFactory settings = null!;
    private RealHost host = null!;
    private Process provider = null!;
    private string resource = null!;

    public async Task InitializeAsync()
    {
        var rosePort = FreePort();
        var providerPort = FreePort();
        var roseUrl = $"http://127.0.0.1:{rosePort}";
        resource = roseUrl + "/mcp";
        provider = await StartProviderAsync(providerPort, resource, roseUrl);
        settings = await RoseAppFactory.CreateAsync(pg, extra: new Dictionary<string, string?>
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
        host = await RealHost.StartAsync(settings.Settings, url: roseUrl);
    }

    public async Task DisposeAsync()
    {
        await host.DisposeAsync();
        await settings.DisposeAsync();
        provider.Kill(entireProcessTree: true);
        await provider.WaitForExitAsync();
        provider.Dispose();
    }

    [Fact]
    public async Task Unauthenticated_Is401_PointingToMetadataThatNamesTheProvider()
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, resource)
        {
            Content = new StringContent("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}", Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        var metadataUrl = host.Url + ".well-known/oauth-protected-resource/mcp";
        Assert.Equal($"Bearer resource_metadata=\"{metadataUrl}\"", challenge.ToString());

        var metadata = JsonNode.Parse(await http.GetStringAsync(metadataUrl))!;
        Assert.Equal(resource, metadata["resource"]!.GetValue<string>());
        Assert.Equal([settings.Settings["Rose:Auth:Oidc:Authority"]], metadata["authorization_servers"]!.AsArray().Select(a => a!.GetValue<string>()));
        Assert.Equal(["mcp"], metadata["scopes_supported"]!.AsArray().Select(a => a!.GetValue<string>()));
    }

    [Fact]
    public async Task ForgedToken_Is401_WithInvalidToken()
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, resource)
        {
            Content = new StringContent("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}", Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        // Well-formed, unsigned, claiming admin: refused, never read.
        var forged = B64("{\"alg\":\"none\"}") + "." + B64($"{{\"sub\":\"mallory\",\"aud\":\"{resource}\",\"roles\":[\"rose-admins\"]}}") + ".";
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + forged);
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("error=\"invalid_token\"", Assert.Single(response.Headers.WwwAuthenticate).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TypeScriptSdk_SignsInAPerson_WhoActsUnderTheirRole_AuditedAsThemOnMcp()
    {
        var seen = await RunClientAsync("ada");
        Assert.True(seen["challenged"]!.GetValue<bool>(), seen.ToJsonString());
        Assert.Contains("resource=" + Uri.EscapeDataString(resource), seen["authorizationUrl"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(resource, seen["accessTokenAudience"]!.GetValue<string>());
        // A person sees the catalog without an agent's prefix.
        Assert.Contains("sql_execute", seen["tools"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Equal("succeeded", seen["read"]!["status"]!.GetValue<string>());
        Assert.False(seen["logs"]!["isError"]!.GetValue<bool>());

        await using var conn = new NpgsqlConnection(settings.ControlConnection);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "SELECT DISTINCT executor_id || '/' || executor_kind || '/' || channel || '/' || provider FROM rose.audit_log WHERE reason = 'oauth ada'", conn);
        var rows = new List<string>();
        await using (var reader = await cmd.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                rows.Add(reader.GetString(0));
            }
        }

        Assert.Equal([$"ada/human/mcp/{settings.Settings["Rose:Auth:Oidc:Authority"]}"], rows);
    }

    [Fact]
    public async Task PersonWithoutARoseRole_IsRefused_AfterSigningIn()
    {
        var seen = await RunClientAsync("eve");
        Assert.True(seen["refusedAfterSignIn"]?.GetValue<bool>() == true, seen.ToJsonString());
    }

    private async Task<JsonNode> RunClientAsync(string user)
    {
        var dir = Path.Combine(McpProcess.RepoRoot(), "tests", "mcp-client");
        var (exit, output) = await TypeScriptClientTests.RunProcessAsync("node", ["oauth.mjs"], dir,
            new() { ["MCP_URL"] = resource, ["OIDC_USER"] = user, ["CLIENT_ID"] = "rose-mcp" }, TimeSpan.FromMinutes(2));
        Assert.True(exit == 0, "oauth.mjs failed:\n" + output);
        return JsonNode.Parse(output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last(l => l.StartsWith('{')))!;
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

    private static string B64(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
