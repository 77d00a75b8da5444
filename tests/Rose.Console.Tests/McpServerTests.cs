using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Rose.Console.Tests;

/// <summary>`rose mcp` as a child process, spoken to over stdio like any MCP client would.</summary>
[Collection("postgres")]
public sealed class McpServerTests(PostgresServerFixture pg) : RealHostTest(pg)
{
    [Fact]
    public async Task Mcp_ToolsListAndCalls_GiveTheApiOutcomesOnChannelMcp()
    {
        await using var mcp = McpProcess.Start(Host.Url, RoseAppFactory.AgentKey, "janus_");
        var init = await mcp.RequestAsync("initialize", new JsonObject
        {
            ["protocolVersion"] = "2025-03-26",
            ["capabilities"] = new JsonObject(),
            ["clientInfo"] = new JsonObject { ["name"] = "rose-tests", ["version"] = "1.0" },
        });
        Assert.Equal("rose", init["result"]!["serverInfo"]!["name"]!.GetValue<string>());
        await mcp.NotifyAsync("notifications/initialized");

        var tools = await mcp.RequestAsync("tools/list", new JsonObject());
        var names = tools["result"]!["tools"]!.AsArray().Select(t => t!["name"]!.GetValue<string>()).ToList();
        Assert.Equal(
            ["janus_analyze_query_indexes", "janus_analyze_workload_indexes", "janus_approval_status", "janus_change_rollback", "janus_db_health", "janus_devlog_create", "janus_devlog_list", "janus_devlog_search", "janus_explain_query", "janus_migration_check", "janus_sql_execute", "janus_sql_logs", "janus_sql_migrate", "janus_validation_run"],
            names.Order(StringComparer.Ordinal));

        var select = await CallAsync(mcp, "janus_sql_execute", new JsonObject { ["database"] = "demo", ["sql"] = "SELECT name FROM widgets WHERE id = 3", ["reason"] = "mcp test" });
        Assert.False(select.IsError);
        Assert.Equal("widget 3", select.Body["statements"]![0]!["rows"]![0]![0]!.GetValue<string>());

        var drop = await CallAsync(mcp, "janus_sql_execute", new JsonObject { ["database"] = "demo", ["sql"] = "DROP TABLE widgets", ["reason"] = "mcp test" });
        Assert.Equal("pending_approval", drop.Body["status"]!.GetValue<string>());
        var approvalId = drop.Body["approval_id"]!.GetValue<long>();

        var status = await CallAsync(mcp, "janus_approval_status", new JsonObject { ["approval_id"] = approvalId });
        Assert.Equal("pending", status.Body["status"]!.GetValue<string>());

        var denied = await CallAsync(mcp, "janus_sql_execute", new JsonObject { ["database"] = "demo", ["sql"] = "SELECT pg_terminate_backend(1)", ["reason"] = "mcp test" });
        Assert.True(denied.IsError);

        var check = await CallAsync(mcp, "janus_migration_check", new JsonObject
        {
            ["database"] = "demo",
            ["reason"] = "mcp test",
            ["migrations"] = new JsonArray(
                new JsonObject { ["name"] = "V1__mcp.sql", ["sql"] = "CREATE TABLE mcp_checked (id int)" },
                new JsonObject { ["name"] = "U1__mcp.sql", ["sql"] = "DROP TABLE mcp_checked" }),
        });
        Assert.False(check.IsError, check.Body.ToJsonString());
        Assert.True(check.Body["ok"]!.GetValue<bool>());
        Assert.Equal("reversible", check.Body["steps"]![0]!["verdict"]!.GetValue<string>());

        var health = await CallAsync(mcp, "janus_db_health", new JsonObject { ["database"] = "demo" });
        Assert.False(health.IsError);
        Assert.NotEmpty(health.Body["checks"]!.AsArray());
        var advice = await CallAsync(mcp, "janus_analyze_query_indexes", new JsonObject { ["database"] = "demo", ["queries"] = new JsonArray("SELECT * FROM widgets WHERE big = 3") });
        Assert.False(advice.IsError);
        Assert.Equal("widgets", advice.Body["recommendations"]![0]!["table"]!.GetValue<string>());

        await using var conn = new NpgsqlConnection(App.ControlConnection);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT DISTINCT channel FROM rose.audit_log WHERE reason = 'mcp test'", conn);
        Assert.Equal("mcp", (string)(await cmd.ExecuteScalarAsync())!);
    }

    private static async Task<(bool IsError, JsonNode Body)> CallAsync(McpProcess mcp, string tool, JsonObject arguments)
    {
        var response = await mcp.RequestAsync("tools/call", new JsonObject { ["name"] = tool, ["arguments"] = arguments });
        var result = response["result"]!;
        var text = result["content"]![0]!["text"]!.GetValue<string>();
        var isError = result["isError"]?.GetValue<bool>() ?? false;
        // The model reads the answer inside the untrusted-data boundary; programs read the structured result.
        Assert.Contains("<" + Rose.Mcp.UntrustedData.MarkerPrefix, text, StringComparison.Ordinal);
        var structured = result["structuredContent"]
            ?? throw new Xunit.Sdk.XunitException($"{tool} answered without a structured result: {text}\n{mcp.Errors}");
        return (isError, structured);
    }
}

/// <summary>The built `rose` binary running `mcp`, with newline-delimited JSON-RPC on its stdio.</summary>
internal sealed class McpProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly System.Text.StringBuilder errors = new();
    private int nextId;

    /// <summary>What the server wrote to stderr (its logs), for failure messages.</summary>
    public string Errors
    {
        get
        {
            lock (errors)
            {
                return errors.ToString();
            }
        }
    }

    private McpProcess(Process process) => this.process = process;

    public static McpProcess Start(Uri url, string key, string prefix)
    {
        var exe = Rose.Tests.Shared.BuiltProgram.Find("Rose.Cli", "rose");
        Assert.True(File.Exists(exe), $"The rose CLI is not built at {exe}: run 'dotnet build Rose.Console.sln' first.");
        var info = new ProcessStartInfo(exe)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "mcp", "--url", url.ToString(), "--api-key", key, "--tool-prefix", prefix })
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info)!;
        var mcp = new McpProcess(process);
        process.ErrorDataReceived += (_, e) =>
        {
            lock (mcp.errors)
            {
                mcp.errors.AppendLine(e.Data);
            }
        };
        process.BeginErrorReadLine();
        return mcp;
    }

    public async Task<JsonNode> RequestAsync(string method, JsonObject parameters)
    {
        var id = ++nextId;
        await WriteAsync(new JsonObject { ["jsonrpc"] = "2.0", ["id"] = id, ["method"] = method, ["params"] = parameters });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var line = await process.StandardOutput.ReadLineAsync(timeout.Token) ?? throw new InvalidOperationException("rose mcp closed its output.");
            var message = JsonNode.Parse(line)!;
            if (message["id"]?.GetValue<int>() == id)
            {
                return message;
            }
        }
    }

    public Task NotifyAsync(string method) => WriteAsync(new JsonObject { ["jsonrpc"] = "2.0", ["method"] = method });

    private async Task WriteAsync(JsonObject message)
    {
        await process.StandardInput.WriteLineAsync(message.ToJsonString(new JsonSerializerOptions { WriteIndented = false }));
        await process.StandardInput.FlushAsync();
    }

    public async ValueTask DisposeAsync()
    {
        process.StandardInput.Close();
        if (!process.WaitForExit(5000))
        {
            process.Kill(entireProcessTree: true);
        }

        await process.WaitForExitAsync();
        process.Dispose();
    }

    internal static string RepoRoot()
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
}
