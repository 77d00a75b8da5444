using System.Text;
using ModelContextProtocol.Client;
using Rose.Mcp;

namespace Rose.Console.Tests.Mcp;

/// <summary>
/// An agent key can never manage keys, policies, approvals or agents: no MCP tool does it, and
/// every route that does (the admin pages' form posts, the approval decisions, the Blazor hub that
/// carries the pages' buttons, snapshot restore) answers 403 to the key, changing nothing.
/// </summary>
[Collection("postgres")]
public sealed class NoSelfEscalationTests(PostgresServerFixture pg, SharedMcpHttp shared) : McpHttpTest(pg, shared)
{
    [Fact]
    public async Task NoMcpTool_ManagesKeysPoliciesApprovalsOrAgents()
    {
        await using var client = await ConnectAsync(RoseAppFactory.AgentKey);
        var names = (await client.ListToolsAsync()).Select(t => t.Name).ToList();
        Assert.Equal(RoseToolCatalog.Names.Count, names.Count);
        foreach (var name in names)
        {
            foreach (var word in RoseToolCatalog.AdminActionsNeverExposed)
            {
                Assert.DoesNotContain(word, name, StringComparison.OrdinalIgnoreCase);
            }
        }
    }

    [Theory]
    [InlineData("GET", "/agents")]                 // the Agents page: keys, policies, disabling
    [InlineData("POST", "/agents")]                // its form posts
    [InlineData("POST", "/approvals")]             // approve / reject
    [InlineData("POST", "/approvals/1")]
    [InlineData("GET", "/approvals/1")]
    [InlineData("POST", "/api/v1/migrations/demo/snapshots/any/restore")]
    [InlineData("POST", "/_blazor/negotiate?negotiateVersion=1")] // every page button runs over this hub
    [InlineData("GET", "/_blazor")]
    public async Task AdminRoute_AnswersForbiddenToAnAgentKey(string method, string path)
    {
        using var http = new HttpClient { BaseAddress = Fixture.Host.Url };
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + RoseAppFactory.AgentKey);
        if (method == "POST")
        {
            request.Content = path.StartsWith("/api/", StringComparison.Ordinal)
                ? new StringContent("{}", Encoding.UTF8, "application/json")
                : new FormUrlEncodedContent([]);
        }

        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);

        // Nothing administrative happened as the agent.
        await using var conn = new NpgsqlConnection(Fixture.Settings.ControlConnection);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM rose.audit_log WHERE channel = 'admin' AND executor_id = 'rose'", conn);
        Assert.Equal(0L, (long)(await cmd.ExecuteScalarAsync())!);
    }

    [Theory]
    [InlineData("GET", "/agents")]                              // the page that sets an agent's tools and policy
    [InlineData("POST", "/approvals/1")]
    [InlineData("POST", "/_blazor/negotiate?negotiateVersion=1")]
    [InlineData("POST", "/api/v1/mcp/tools/sql_logs")]          // the relay itself: no call inside a call
    public async Task ToolRelay_ReachesOnlyApiRoutes(string method, string path)
    {
        // `rose mcp`'s relay runs the route a tool names; a key that names an admin route gets nothing.
        using var http = new HttpClient { BaseAddress = Fixture.Host.Url };
        http.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Bearer " + RoseAppFactory.AgentKey);
        using var response = await http.PostAsync("/api/v1/mcp/tools/sql_logs", new StringContent(
            System.Text.Json.JsonSerializer.Serialize(new { method, path, body = new { } }), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal([("MCP TOOL SQL_LOGS", "mcp", "denied", "rose")], await ToolRowsAsync("rose"));
    }
}
