using System.Diagnostics;
using System.Text.Json.Nodes;
using Rose.Mcp;

namespace Rose.Console.Tests.Mcp;

/// <summary>
/// The official MCP TypeScript SDK client (tests/mcp-client/client.mjs) against /mcp over
/// streamable HTTP and against `rose mcp` over stdio: refused without a key, annotated tools
/// within the token budget, database text inside the boundary, a DROP parked and polled.
/// </summary>
[Collection("postgres")]
public sealed class TypeScriptClientTests(PostgresServerFixture pg, SharedMcpHttp shared) : McpHttpTest(pg, shared)
{
    [Fact]
    public async Task Http_StreamableTransport()
    {
        var seen = await RunAsync(new() { ["MODE"] = "http", ["MCP_URL"] = Fixture.McpUrl.ToString(), ["ROSE_KEY"] = RoseAppFactory.AgentKey });
        Assert.True(seen["refusedWithoutKey"]!.GetValue<bool>(), seen.ToJsonString());
        Assert.StartsWith("401 ", seen["refusal"]!.GetValue<string>(), StringComparison.Ordinal);
        await AssertSession(seen, "http");
    }

    [Fact]
    public async Task Stdio_RoseMcp()
    {
        var exe = BuiltProgram.Find("Rose.Cli", "rose");
        var seen = await RunAsync(new() { ["MODE"] = "stdio", ["ROSE_EXE"] = exe, ["ROSE_URL"] = Fixture.Host.Url.ToString(), ["ROSE_KEY"] = RoseAppFactory.AgentKey });
        await AssertSession(seen, "stdio");
    }

    private async Task AssertSession(JsonNode seen, string mode)
    {
        var tools = seen["tools"]!.AsArray();
        Assert.Equal(RoseToolCatalog.Names.Count, tools.Count);
        foreach (var tool in tools)
        {
            var annotations = tool!["annotations"]!;
            foreach (var hint in new[] { "readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint" })
            {
                Assert.NotNull(annotations[hint]);
            }
        }

        Assert.True(seen["toolsListChars"]!.GetValue<int>() / 4 <= 3000, $"tools/list costs {seen["toolsListChars"]} / 4 tokens");
        Assert.False(seen["read"]!["isError"]!.GetValue<bool>());
        McpHttpTests.AssertInsideBoundary(seen["read"]!["text"]!.GetValue<string>(), McpHttpFixture.Injection);
        Assert.Equal(McpHttpFixture.Injection, seen["read"]!["structured"]!["statements"]![0]!["rows"]![0]![0]!.GetValue<string>());
        Assert.Equal("pending_approval", seen["drop"]!["status"]!.GetValue<string>());
        Assert.Equal(["pending", "pending", "pending"], seen["polls"]!.AsArray().Select(p => p!.GetValue<string>()));
        Assert.Equal(["mcp"], await AuditChannelsAsync("ts client read " + mode));
    }

    private static async Task<JsonNode> RunAsync(Dictionary<string, string> env)
    {
        var dir = Path.Combine(McpProcess.RepoRoot(), "tests", "mcp-client");
        if (!Directory.Exists(Path.Combine(dir, "node_modules", "@modelcontextprotocol", "sdk")))
        {
            var (code, output) = await RunProcessAsync("npm", ["ci", "--no-audit", "--no-fund"], dir, [], TimeSpan.FromMinutes(5));
            Assert.True(code == 0, "npm ci failed in tests/mcp-client:\n" + output);
        }

        var (exit, stdout) = await RunProcessAsync("node", ["client.mjs"], dir, env, TimeSpan.FromMinutes(2));
        Assert.True(exit == 0, "client.mjs failed:\n" + stdout);
        var last = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last(l => l.StartsWith('{'));
        return JsonNode.Parse(last)!;
    }

    internal static async Task<(int Code, string Output)> RunProcessAsync(string file, string[] args, string dir, Dictionary<string, string> env, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(file) { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (k, v) in env)
        {
            info.Environment[k] = v;
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
