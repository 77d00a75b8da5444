using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Rose.Console.Tests.Mcp;

/// <summary>
/// A client that cancels a long tool call (tests/mcp-client/cancel.mjs, the official TypeScript SDK
/// client aborting its request, which sends notifications/cancelled) stops the query on the target:
/// the backend is gone from pg_stat_activity while the session stays open, the pipeline's audit row
/// says cancelled, and over /mcp the tool call's own row does too.
/// </summary>
[Collection("postgres")]
public sealed class McpCancellationTests(PostgresServerFixture pg, SharedMcpHttp shared) : McpHttpTest(pg, shared)
{
    [Fact]
    public async Task Http_CancelledCall_StopsTheQuery_AndIsAuditedCancelled()
    {
        var reason = "ts cancel http";
        await CancelAndCheckAsync(new() { ["MODE"] = "http", ["MCP_URL"] = Fixture.McpUrl.ToString() }, reason);
        // The tool call's own outcome is written after the pipeline's (the route answers first): wait for it.
        Assert.True(await WaitForAsync(async () => (await ToolRowsAsync("sleeper")).Single(r => r.Operation == "MCP TOOL SQL_EXECUTE").Status != "running",
            TimeSpan.FromSeconds(10)), "the tool-call row has no outcome");
        var tool = (await ToolRowsAsync("sleeper")).Single(r => r.Operation == "MCP TOOL SQL_EXECUTE");
        Assert.Equal(("mcp", "cancelled"), (tool.Channel, tool.Status));
    }

    [Fact]
    public async Task Stdio_CancelledCall_StopsTheQuery_AndIsAuditedCancelled()
    {
        var env = new Dictionary<string, string> { ["MODE"] = "stdio", ["ROSE_EXE"] = BuiltProgram.Find("Rose.Cli", "rose"), ["ROSE_URL"] = Fixture.Host.Url.ToString() };
        await CancelAndCheckAsync(env, "ts cancel stdio");
    }

    private async Task CancelAndCheckAsync(Dictionary<string, string> env, string reason)
    {
        // A marker in the SQL text finds this query, and only it, in pg_stat_activity.
        var marker = "rose_cancel_" + Guid.NewGuid().ToString("N");
        env["ROSE_KEY"] = McpHttpFixture.SleeperKey;
        env["SQL"] = $"SELECT pg_sleep(60) AS {marker}";
        env["REASON"] = reason;
        using var client = StartClient(env);
        try
        {
            Assert.Equal("started", await ReadLineAsync(client));
            Assert.True(await WaitForAsync(async () => await RunningAsync(marker) == 1, TimeSpan.FromSeconds(30)),
                "the query never showed up in pg_stat_activity");

            await client.StandardInput.WriteLineAsync("running");
            var seen = JsonNode.Parse(await ReadLineAsync(client))!;
            Assert.Null(seen["answered"]);
            Assert.Contains("cancels the call", seen["error"]!.GetValue<string>(), StringComparison.Ordinal);

            // The session is still open: only the cancellation can have stopped the query, well before its 60 s.
            Assert.True(await WaitForAsync(async () => await RunningAsync(marker) == 0, TimeSpan.FromSeconds(10)),
                "the query still runs on the target after the client cancelled it");
            Assert.True(await WaitForAsync(async () => await SqlStatusAsync(reason) == "cancelled", TimeSpan.FromSeconds(10)),
                $"the pipeline's audit row says {await SqlStatusAsync(reason) ?? "nothing"}, not cancelled");
            await client.StandardInput.WriteLineAsync("close");
            Assert.True(client.WaitForExit(30_000), "cancel.mjs did not exit");
            Assert.Equal(0, client.ExitCode);
        }
        finally
        {
            if (!client.HasExited)
            {
                client.Kill(entireProcessTree: true);
            }
        }
    }

    private static Process StartClient(Dictionary<string, string> env)
    {
        var info = new ProcessStartInfo("node")
        {
            WorkingDirectory = Path.Combine(McpProcess.RepoRoot(), "tests", "mcp-client"),
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("cancel.mjs");
        foreach (var (k, v) in env)
        {
            info.Environment[k] = v;
        }

        var process = Process.Start(info)!;
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task<string> ReadLineAsync(Process client)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var line = await client.StandardOutput.ReadLineAsync(cts.Token);
        return line ?? throw new InvalidOperationException($"cancel.mjs ended (exit {(client.HasExited ? client.ExitCode : -1)}) without an answer");
    }

    private static async Task<bool> WaitForAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var until = Stopwatch.StartNew();
        while (until.Elapsed < timeout)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(100);
        }

        return await condition();
    }

    /// <summary>Backends on the target running the marked query (this test's own query is excluded by its pid).</summary>
    private async Task<long> RunningAsync(string marker)
    {
        await using var conn = new NpgsqlConnection(Fixture.Settings.TargetConnection);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND state = 'active' AND strpos(query, $1) > 0", conn);
        cmd.Parameters.AddWithValue(marker);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    /// <summary>The outcome of the pipeline's row for the SQL (not the tool-call row), by its reason.</summary>
    private async Task<string?> SqlStatusAsync(string reason)
    {
        await using var conn = new NpgsqlConnection(Fixture.Settings.ControlConnection);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("""
            SELECT o.status FROM rose.audit_log l LEFT JOIN rose.audit_outcome o ON o.audit_id = l.id
            WHERE l.reason = $1 AND l.operations[1] NOT LIKE 'MCP TOOL %' ORDER BY l.id DESC LIMIT 1
            """, conn);
        cmd.Parameters.AddWithValue(reason);
        return await cmd.ExecuteScalarAsync() as string;
    }
}
