using System.Collections.Concurrent;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using Rose.Console.Mcp;
using Rose.Tests.Shared;

namespace Rose.Console.Tests.Mcp;

/// <summary>
/// What /mcp does around each tool call, over real HTTP with the C# SDK client: one audit row per
/// call on channel mcp (whatever the tool) and progress notifications while a call runs.
/// </summary>
[Collection("postgres")]
public sealed class McpToolCallTests(PostgresServerFixture pg) : IAsyncLifetime
{
    private McpHttpFixture rose = null!;

    public async Task InitializeAsync() => rose = await McpHttpFixture.StartAsync(pg);

    public async Task DisposeAsync() => await rose.DisposeAsync();

    private Task<McpClient> ConnectAsync(string key) =>
        McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = rose.McpUrl,
            TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer " + key },
        }));

    [Fact]
    public async Task EveryTool_IsAuditedOnceOnChannelMcp_WithItsOutcome()
    {
        await using var client = await ConnectAsync(RoseAppFactory.AgentKey);
        var calls = new (string Tool, Dictionary<string, object?> Args)[]
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
        foreach (var (tool, args) in calls)
        {
            await client.CallToolAsync("janus_" + tool, args);
        }

        var rows = await rose.ToolRowsAsync("rose");
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
    public async Task ToolOutsideTheAllowList_IsNeitherCalledNorAudited()
    {
        // The narrow agent's session has no sql_execute: the SDK refuses before any route or audit row.
        await using var narrow = await ConnectAsync(McpHttpFixture.NarrowKey);
        await Assert.ThrowsAsync<McpProtocolException>(() => narrow.CallToolAsync("sql_execute",
            new Dictionary<string, object?> { ["database"] = "demo", ["sql"] = "SELECT 1", ["reason"] = "narrow" }).AsTask());
        var logs = await narrow.CallToolAsync("sql_logs", new Dictionary<string, object?> { ["limit"] = 1 });
        Assert.NotEqual(true, logs.IsError);
        Assert.Equal([("MCP TOOL SQL_LOGS", "mcp", "succeeded", "rose")], await rose.ToolRowsAsync("narrow"));
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
