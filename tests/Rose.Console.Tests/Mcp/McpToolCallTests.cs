using System.Collections.Concurrent;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using Rose.Console.Mcp;
using Rose.Core.Agents;
using Rose.Core.Identity;
using Rose.Core.Policy;
using Rose.Mcp;

namespace Rose.Console.Tests.Mcp;

/// <summary>
/// What /mcp and `rose mcp` do around each tool call, with the C# SDK client over real HTTP and
/// stdio: one audit row per call on channel mcp (whatever the tool), the agent's tool allow-list
/// checked by the console at every call, and progress notifications while a call runs.
/// </summary>
[Collection("postgres")]
public sealed class McpToolCallTests(PostgresServerFixture pg, SharedMcpHttp shared) : McpHttpTest(pg, shared)
{
    [Fact]
    public async Task EveryTool_IsAuditedOnceOnChannelMcp_WithItsOutcome()
    {
        await using var client = await ConnectAsync(RoseAppFactory.AgentKey);
        var calls = EveryTool;
        foreach (var (tool, args) in calls)
        {
            await client.CallToolAsync("janus_" + tool, args);
        }

        var rows = await ToolRowsAsync("rose");
        Assert.Equal(calls.Select(c => McpToolAudit.Operation(c.Tool)), rows.Select(r => r.Operation));
        Assert.All(rows, r => Assert.Equal("mcp", r.Channel));
        var status = rows.ToDictionary(r => r.Operation, r => r.Status);
        Assert.Equal("succeeded", status["MCP TOOL SQL_EXECUTE"]);
        Assert.Equal("succeeded", status["MCP TOOL SQL_LOGS"]);
        Assert.Equal("succeeded", status["MCP TOOL DEVLOG_CREATE"]);
        // An unknown approval is the route's 404: the call happened, and failed.
        Assert.Equal("failed", status["MCP TOOL APPROVAL_STATUS"]);
        Assert.Equal("demo", rows.Single(r => r.Operation == "MCP TOOL VALIDATION_RUN").Database);
        Assert.Equal("rose", rows.Single(r => r.Operation == "MCP TOOL SQL_LOGS").Database);
    }

    [Fact]
    public async Task SqlExecute_ToolRowCommitsWithItsStatementRow_AndARouteRefusalStillHasOne()
    {
        // sql_execute's route is the pipeline alone: its tool-call row rides in the commit of the statement's attempt.
        await using var client = await ConnectAsync(RoseAppFactory.AgentKey);
        var ran = await client.CallToolAsync("janus_sql_execute",
            new Dictionary<string, object?> { ["database"] = "demo", ["sql"] = "SELECT 1", ["reason"] = "one commit" });
        Assert.NotEqual(true, ran.IsError);
        Assert.Equal((2L, 1L), await CommitsAsync("one commit"));

        // A call the route refuses before the pipeline writes anything still gets its row, written after the route.
        var refused = await client.CallToolAsync("janus_sql_execute",
            new Dictionary<string, object?> { ["database"] = "demo", ["sql"] = "SELECT 1", ["reason"] = "refused by the route", ["max_rows"] = 0 });
        Assert.True(refused.IsError);
        Assert.Equal([("MCP TOOL SQL_EXECUTE", "mcp", "succeeded", "demo"), ("MCP TOOL SQL_EXECUTE", "mcp", "failed", "demo")], await ToolRowsAsync("rose"));
        Assert.Equal((1L, 1L), await CommitsAsync("refused by the route"));
    }

    /// <summary>One call of each kind of tool (reads, writes, SQL, devlogs, approvals, validation, advisor).</summary>
    private static (string Tool, Dictionary<string, object?> Args)[] EveryTool =>
        new (string Tool, Dictionary<string, object?> Args)[]
        {
            ("sql_execute", new() { ["database"] = "demo", ["sql"] = "SELECT 1", ["reason"] = "audit every tool" }),
            ("sql_migrate", new() { ["database"] = "demo", ["sql"] = "CREATE TABLE audited_tools (id int)", ["reason"] = "audit every tool", ["dry_run"] = true }),
            ("sql_logs", new() { ["limit"] = 3, ["q"] = "audit every tool" }),
            ("devlog_create", new() { ["service_id"] = "svc", ["log_type"] = "fix", ["title"] = "t", ["content"] = "c" }),
            ("devlog_list", new() { ["limit"] = 1 }),
            ("devlog_search", new() { ["q"] = "fix" }),
            ("approval_status", new() { ["approval_id"] = 999_999 }),
            ("validation_run", new() { ["database"] = "demo" }),
            ("db_health", new() { ["database"] = "demo" }),
        };
    [Fact]
    public async Task Stdio_EveryTool_IsAuditedOnceOnChannelMcp()
    {
        // `rose mcp` relays each call to the console, which audits it as /mcp does.
        await using var client = await McpClient.CreateAsync(Stdio(RoseAppFactory.AgentKey, "janus_"));
        foreach (var (tool, args) in EveryTool)
        {
            await client.CallToolAsync("janus_" + tool, args);
        }

        var rows = await ToolRowsAsync("rose");
        Assert.Equal(EveryTool.Select(c => McpToolAudit.Operation(c.Tool)), rows.Select(r => r.Operation));
        Assert.All(rows, r => Assert.Equal("mcp", r.Channel));
        Assert.Equal("succeeded", rows.Single(r => r.Operation == "MCP TOOL SQL_LOGS").Status);
        // The SQL the tools ran is on channel mcp too, not api.
        Assert.Equal(["mcp"], await AuditChannelsAsync("audit every tool"));
    }

    [Fact]
    public async Task Stdio_ToolOutsideTheAllowList_IsRefusedByTheConsole()
    {
        // `rose mcp` lists every tool; the console refuses the call and audits the refusal.
        await using var narrow = await McpClient.CreateAsync(Stdio(McpHttpFixture.NarrowKey, ""));
        var refused = await narrow.CallToolAsync("sql_execute",
            new Dictionary<string, object?> { ["database"] = "demo", ["sql"] = "SELECT 1", ["reason"] = "narrow stdio" });
        Assert.True(refused.IsError);
        Assert.Equal("forbidden", refused.StructuredContent!.Value.GetProperty("status").GetString());
        var logs = await narrow.CallToolAsync("sql_logs", new Dictionary<string, object?> { ["limit"] = 1 });
        Assert.NotEqual(true, logs.IsError);
        Assert.Equal([("MCP TOOL SQL_EXECUTE", "mcp", "denied", "demo"), ("MCP TOOL SQL_LOGS", "mcp", "succeeded", "rose")],
            await ToolRowsAsync("narrow"));
    }

    [Fact]
    public async Task AllowListSetByAnAdmin_AppliesToTheOpenSessionAndTheNextOne()
    {
        var admin = Fixture.Host.Services.GetRequiredService<AgentAdmin>();
        var carol = new Actor("carol", "Carol Admin", ActorKind.Human, "dev");
        Assert.True(await admin.CreateAsync(carol, "listed", "Listed", new SqlPolicy { AllowedDatabases = ["demo"], AllowedOperations = ["SELECT"] }, CancellationToken.None));
        var (key, _) = await admin.CreateKeyAsync(carol, "listed", null, CancellationToken.None);
        await using var open = await ConnectAsync(key);
        Assert.Equal(RoseToolCatalog.Names.Count, (await open.ListToolsAsync()).Count);

        Assert.True(await admin.UpdateMcpToolsAsync(carol, "listed", ["sql_logs"], RoseToolCatalog.Names, CancellationToken.None));

        // The session opened before the change still lists sql_execute, but the console refuses the call.
        var refused = await open.CallToolAsync("sql_execute", new Dictionary<string, object?> { ["database"] = "demo", ["sql"] = "SELECT 1", ["reason"] = "listed" });
        Assert.True(refused.IsError);
        Assert.Equal([("MCP TOOL SQL_EXECUTE", "mcp", "denied", "demo")], await ToolRowsAsync("listed"));
        await using var next = await ConnectAsync(key);
        Assert.Equal(["sql_logs"], (await next.ListToolsAsync()).Select(t => t.Name));
    }

    private StdioClientTransport Stdio(string key, string prefix) => new(new StdioClientTransportOptions
    {
        Command = BuiltProgram.Find("Rose.Cli", "rose"),
        Arguments = prefix.Length == 0 ? ["mcp", "--url", Fixture.Host.Url.ToString()] : ["mcp", "--url", Fixture.Host.Url.ToString(), "--tool-prefix", prefix],
        EnvironmentVariables = new Dictionary<string, string?> { ["ROSE_API_KEY"] = key },
    });

    [Fact]
    public async Task ToolOutsideTheAllowList_IsNeitherCalledNorAudited()
    {
        // The narrow agent's session has no sql_execute: the SDK refuses before any route or audit row.
        await using var narrow = await ConnectAsync(McpHttpFixture.NarrowKey);
        await Assert.ThrowsAsync<McpProtocolException>(() => narrow.CallToolAsync("sql_execute",
            new Dictionary<string, object?> { ["database"] = "demo", ["sql"] = "SELECT 1", ["reason"] = "narrow" }).AsTask());
        var logs = await narrow.CallToolAsync("sql_logs", new Dictionary<string, object?> { ["limit"] = 1 });
        Assert.NotEqual(true, logs.IsError);
        Assert.Equal([("MCP TOOL SQL_LOGS", "mcp", "succeeded", "rose")], await ToolRowsAsync("narrow"));
    }

    [Fact]
    public async Task LongCall_SendsProgress_UntilItAnswers()
    {
        await using var client = await ConnectAsync(McpHttpFixture.SleeperKey);
        var seen = new ConcurrentQueue<ProgressNotificationValue>();
        var result = await client.CallToolAsync("sql_execute",
            new Dictionary<string, object?> { ["database"] = "demo", ["sql"] = "SELECT pg_sleep(2.5)", ["reason"] = "progress" },
            new SynchronousProgress(seen.Enqueue));
        Assert.NotEqual(true, result.IsError);
        var progress = seen.ToList();
        Assert.True(progress.Count >= 2, $"{progress.Count} progress notifications");
        Assert.Equal("sql_execute started", progress[0].Message);
        Assert.Contains(progress.Skip(1), p => p.Message!.StartsWith("sql_execute still running", StringComparison.Ordinal));
        Assert.True(progress.Zip(progress.Skip(1)).All(p => p.Second.Progress > p.First.Progress), "progress must increase");
    }

    /// <summary>Reports on the SDK's thread, in order (Progress&lt;T&gt; would post to the thread pool and may reorder).</summary>
    private sealed class SynchronousProgress(Action<ProgressNotificationValue> report) : IProgress<ProgressNotificationValue>
    {
        public void Report(ProgressNotificationValue value) => report(value);
    }
}
