using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Rose.Console.Tests.Mcp;

/// <summary>
/// OAuth for people's MCP clients against a real OpenID provider (tests/oidc/provider.mjs, npm
/// oidc-provider): /mcp's protected resource metadata, the 401 that points to it, and the official
/// TypeScript SDK client signing a person in (code flow, PKCE, resource indicator) and acting as
/// that person under their role, audited as them on channel mcp. One provider and console for the class:
/// each test signs in its own person or none, and reads back only the audit rows of its own reason.
/// </summary>
[Collection("postgres")]
public sealed class McpOAuthTests(PostgresServerFixture pg, SharedOAuthConsole shared) : IAsyncLifetime, IClassFixture<SharedOAuthConsole>
{
    private RoseAppFactory settings = null!;
    private RealHost host = null!;
    private string resource = null!;

    public async Task InitializeAsync()
    {
        var console = await shared.GetAsync(() => OAuthConsole.StartAsync(pg));
        (settings, host, resource) = (console.Settings, console.Host, console.Resource);
    }

    // The provider and the console belong to the class fixture, which stops them after the last test.
    public Task DisposeAsync() => Task.CompletedTask;

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

    private static string B64(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
