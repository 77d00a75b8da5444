using System.Text.Json.Nodes;
using Rose.Mcp;

namespace Rose.Console.Tests.Mcp;

/// <summary>
/// The MCP Inspector's CLI mode (npm @modelcontextprotocol/inspector-cli, pinned in
/// tests/mcp-client) against /mcp over streamable HTTP and against `rose mcp` over stdio: tools/list
/// and a tools/call, as a person debugging an agent setup would run them. The CLI (0.22.0 and 1.0.x
/// alike) checks for "../package.json" relative to the working directory but imports it relative to
/// its own file, so run from anywhere else it stops with "Cannot find module
/// .../@modelcontextprotocol/package.json" (what failed here before); run from its build folder both
/// paths agree. Pinned at 0.22.0: 1.0.x prints a deprecation banner, 2.x needs Node 22.19 and ships no CLI package.
/// </summary>
[Collection("postgres")]
public sealed class McpInspectorCliTests(PostgresServerFixture pg, SharedMcpHttp shared) : McpHttpTest(pg, shared)
{
    [Fact]
    public async Task Http_ListsTools_AndCallsOne()
    {
        string[] target = [Fixture.McpUrl.ToString(), "--transport", "http", "--header", "Authorization: Bearer " + RoseAppFactory.AgentKey];
        await AssertListAndCallAsync(target, [], "inspector http");
    }

    [Fact]
    public async Task Http_WithoutKey_IsRefused()
    {
        var (exit, output) = await InspectAsync([Fixture.McpUrl.ToString(), "--transport", "http", "--method", "tools/list"], []);
        Assert.NotEqual(0, exit);
        Assert.Contains("401", output, StringComparison.Ordinal);
        Assert.DoesNotContain("janus_sql_execute", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stdio_RoseMcp_ListsTools_AndCallsOne()
    {
        string[] target = [BuiltProgram.Find("Rose.Cli", "rose"), "mcp", "--url", Fixture.Host.Url.ToString(), "--tool-prefix", "janus_"];
        // The key goes in the server's environment (-e), as an MCP client configuration passes it, not on its command line.
        await AssertListAndCallAsync(target, ["-e", "ROSE_API_KEY=" + RoseAppFactory.AgentKey], "inspector stdio");
    }

    private async Task AssertListAndCallAsync(string[] target, string[] launcherOptions, string reason)
    {
        var (exit, output) = await InspectAsync([.. launcherOptions, .. target, "--method", "tools/list"], []);
        Assert.True(exit == 0, "inspector tools/list failed:\n" + output);
        var tools = Json(output)["tools"]!.AsArray().Select(t => t!["name"]!.GetValue<string>()).ToList();
        Assert.Equal(RoseToolCatalog.Names.Select(n => "janus_" + n).Order(), tools.Order());

        (exit, output) = await InspectAsync([.. launcherOptions, .. target, "--method", "tools/call", "--tool-name", "janus_sql_execute",
            "--tool-arg", "database=demo", "sql=SELECT note FROM customers", "reason=" + reason], []);
        Assert.True(exit == 0, "inspector tools/call failed:\n" + output);
        var result = Json(output);
        Assert.NotEqual(true, result["isError"]?.GetValue<bool>());
        McpHttpTests.AssertInsideBoundary(result["content"]![0]!["text"]!.GetValue<string>(), McpHttpFixture.Injection);
        Assert.Equal(["mcp"], await AuditChannelsAsync(reason));
    }

    /// <summary>The Inspector prints the method's result as one JSON document.</summary>
    private static JsonNode Json(string output) => JsonNode.Parse(output[output.IndexOf('{', StringComparison.Ordinal)..])!;

    /// <summary>Runs the package's own bin (the launcher) in CLI mode, which starts its CLI the way `npx @modelcontextprotocol/inspector --cli` does.</summary>
    private static async Task<(int Code, string Output)> InspectAsync(string[] args, Dictionary<string, string> env)
    {
        var dir = Path.Combine(McpProcess.RepoRoot(), "tests", "mcp-client");
        var build = Path.Combine(dir, "node_modules", "@modelcontextprotocol", "inspector-cli", "build");
        var launcher = Path.Combine(build, "cli.js");
        if (!File.Exists(launcher))
        {
            var (code, output) = await TypeScriptClientTests.RunProcessAsync("npm", ["ci", "--no-audit", "--no-fund"], dir, [], TimeSpan.FromMinutes(5));
            Assert.True(code == 0, "npm ci failed in tests/mcp-client:\n" + output);
        }

        // Its build folder as the working directory: see the class comment.
        return await TypeScriptClientTests.RunProcessAsync("node", [launcher, "--cli", .. args], build, env, TimeSpan.FromMinutes(2));
    }
}
