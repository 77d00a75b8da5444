using Rose.Console.Tests.Mcp;

namespace Rose.Console.Tests.Advisor;

/// <summary>
/// The built `rose advise explain` against a running console: the same route as the API (POST
/// /api/v1/advisor/{db}/explain), the plan tree on stdout, the API's JSON with --json, and the
/// policy's decision as the exit code.
/// </summary>
[Collection("postgres")]
public sealed class AdviseExplainCliTests(PostgresServerFixture pg) : RealHostTest(pg)
{
    /// <summary>An agent that may EXPLAIN, and whose DELETEs wait for approval, so measuring one parks it.</summary>
    private const string CarefulKey = "rose_test_careful_key_0123456789abcdef";

    protected override IDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
    {
        ["Rose:Agents:careful:ApiKey"] = CarefulKey,
        ["Rose:Agents:careful:Policy:allowed_databases:0"] = "demo",
        ["Rose:Agents:careful:Policy:allowed_operations:0"] = "SELECT",
        ["Rose:Agents:careful:Policy:allowed_operations:1"] = "EXPLAIN",
        ["Rose:Agents:careful:Policy:requires_approval:0"] = "DELETE",
        ["Rose:Agents:careful:Policy:environment"] = "dev",
    };

    private Task<(int Code, string Output)> RoseAsync(params string[] args) => RoseAsKeyAsync(CarefulKey, args);

    private Task<(int Code, string Output)> RoseAsKeyAsync(string key, params string[] args) =>
        TypeScriptClientTests.RunProcessAsync(BuiltProgram.Find("Rose.Cli", "rose"), [.. args, "--url", Host.Url.ToString()],
            McpProcess.RepoRoot(), new() { ["ROSE_API_KEY"] = key }, TimeSpan.FromMinutes(1));

    [Fact]
    public async Task Explain_Select_PrintsTheMeasuredTree_AndIsAudited()
    {
        var (code, output) = await RoseAsync("advise", "explain", "demo", "--sql", "SELECT name FROM widgets WHERE big > 0 ORDER BY name", "--reason", "cli explain");

        Assert.True(code == 0, output);
        Assert.StartsWith("execution ", output, StringComparison.Ordinal);
        Assert.Contains("Sort", output, StringComparison.Ordinal);
        Assert.Contains("Seq Scan on widgets  rows", output, StringComparison.Ordinal);
        Assert.Contains("% of the time", output, StringComparison.Ordinal);

        await using var conn = new NpgsqlConnection(App.ControlConnection);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM rose.audit_log WHERE reason = 'cli explain' AND executor_id = 'careful'", conn);
        Assert.Equal(1L, (long)(await cmd.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task Explain_Json_PrintsTheApiAnswer()
    {
        var (code, output) = await RoseAsync("advise", "explain", "--database", "demo", "--sql", "SELECT 1", "--plan-only", "--json");

        Assert.True(code == 0, output);
        var answer = System.Text.Json.Nodes.JsonNode.Parse(output)!;
        Assert.Equal("planned", answer["status"]!.GetValue<string>());
        Assert.False(answer["analyzed"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Explain_WriteThePolicyParks_ExitsTwo_AndNothingRan()
    {
        var (code, output) = await RoseAsKeyAsync(CarefulKey, "advise", "explain", "demo", "--sql", "DELETE FROM widgets", "--reason", "cli explain delete");

        Assert.True(code == 2, $"exit {code}: {output}");
        Assert.StartsWith("pending approval #", output, StringComparison.Ordinal);
        await using var conn = new NpgsqlConnection(App.TargetConnection);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM widgets", conn);
        Assert.Equal(20L, (long)(await cmd.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task Explain_NotAllowedByPolicy_ExitsThree_WithTheReason()
    {
        // The development agent may not EXPLAIN: its policy, not the advisor, says no.
        var (code, output) = await RoseAsKeyAsync(RoseAppFactory.AgentKey, "advise", "explain", "demo", "--sql", "SELECT name FROM widgets");

        Assert.True(code == 3, $"exit {code}: {output}");
        Assert.Contains("EXPLAIN is not in allowed_operations", output, StringComparison.Ordinal);
    }
}
