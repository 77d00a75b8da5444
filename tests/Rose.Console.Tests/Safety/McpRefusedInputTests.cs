using System.Text.Json.Nodes;

namespace Rose.Console.Tests.Safety;

/// <summary>`rose mcp` (a real child process) passing on a NUL: the answer is an error naming the position, and the attempt is audited on channel mcp.</summary>
[Collection("postgres")]
public sealed class McpRefusedInputTests(PostgresServerFixture pg) : RealHostTest(pg)
{
    [Fact]
    public async Task Mcp_SqlWithNul_IsAnErrorNamingThePosition_AndAudited()
    {
        await using var mcp = McpProcess.Start(Host.Url, RoseAppFactory.AgentKey, "rose_");
        await mcp.RequestAsync("initialize", new JsonObject
        {
            ["protocolVersion"] = "2025-03-26",
            ["capabilities"] = new JsonObject(),
            ["clientInfo"] = new JsonObject { ["name"] = "rose-tests", ["version"] = "1.0" },
        });
        await mcp.NotifyAsync("notifications/initialized");

        var response = await mcp.RequestAsync("tools/call", new JsonObject
        {
            ["name"] = "rose_sql_execute",
            ["arguments"] = new JsonObject { ["database"] = "demo", ["sql"] = "DELETE FROM widgets;\0", ["reason"] = "mcp nul" },
        });

        var result = response["result"]!;
        Assert.True(result["isError"]?.GetValue<bool>() ?? false, result.ToJsonString());
        var text = result["content"]![0]!["text"]!.GetValue<string>();
        Assert.Contains("400", text, StringComparison.Ordinal);
        Assert.Contains("NUL character (U+0000) at offset 20", text, StringComparison.Ordinal);
        await using var conn = new NpgsqlConnection(App.ControlConnection);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM rose.audit_log WHERE channel = 'mcp' AND decision = 'deny' AND sql_text = 'DELETE FROM widgets;\\u0000'", conn);
        Assert.Equal(1L, (long)(await cmd.ExecuteScalarAsync())!);
        await using var target = new NpgsqlConnection(App.TargetConnection);
        await target.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM widgets", target);
        Assert.Equal(20L, (long)(await count.ExecuteScalarAsync())!);
    }
}
