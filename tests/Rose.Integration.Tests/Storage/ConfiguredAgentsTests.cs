using Microsoft.Extensions.Logging.Abstractions;
using Rose.Core.Audit;
using Rose.Core.Configuration;
using Rose.Core.Control;

namespace Rose.Integration.Tests.Storage;

/// <summary>Agents from Rose:Agents are an admin change at start-up: audited when they change, silent when they do not.</summary>
[Collection(PostgresSecondCollection.Name)]
public sealed class ConfiguredAgentsTests(PostgresServerFixture pg)
{
    private const string Key = "rose_config_agent_key_0123456789";

    private static RoseOptions Options(string control, string[] allowed, string? key = Key)
    {
        var options = new RoseOptions { ControlConnection = control, Demo = false, DataDir = Path.GetTempPath() };
        options.Agents["ci-bot"] = new AgentOptions { Name = "CI bot", ApiKey = key, Policy = new SqlPolicyOptions { AllowedOperations = [.. allowed] } };
        return options;
    }

    private static async Task StartAndStopAsync(RoseOptions options)
    {
        await using var runtime = await RoseBootstrap.StartAsync(options, NullLoggerFactory.Instance, CancellationToken.None);
    }

    private static async Task<List<(string Sql, string Executor, string Status)>> AdminRowsAsync(string control)
    {
        await using var conn = new NpgsqlConnection(control);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "SELECT a.sql_text, a.executor_id, o.status FROM rose.audit_log a JOIN rose.audit_outcome o ON o.audit_id = a.id WHERE a.channel = 'admin' ORDER BY a.id", conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        var rows = new List<(string, string, string)>();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        }

        return rows;
    }

    [Fact]
    public async Task StartAsync_AuditsConfiguredAgentChangesOnly_AndNeverTheKey()
    {
        var control = await pg.CreateControlDatabaseAsync("control");

        await StartAndStopAsync(Options(control, ["SELECT"]));
        await StartAndStopAsync(Options(control, ["SELECT"]));
        var afterRestart = await AdminRowsAsync(control);
        await StartAndStopAsync(Options(control, ["SELECT", "INSERT"]));
        var afterChange = await AdminRowsAsync(control);

        var created = Assert.Single(afterRestart);
        Assert.Contains("create agent 'ci-bot' named 'CI bot'", created.Sql, StringComparison.Ordinal);
        Assert.Contains("register the API key of Rose:Agents:ci-bot:ApiKey", created.Sql, StringComparison.Ordinal);
        Assert.Equal("rose:configuration", created.Executor);
        Assert.Equal(AuditStatus.Succeeded, created.Status);
        Assert.Equal(2, afterChange.Count);
        Assert.Contains("update agent 'ci-bot'", afterChange[1].Sql, StringComparison.Ordinal);
        Assert.Contains("\"INSERT\"", afterChange[1].Sql, StringComparison.Ordinal);
        Assert.DoesNotContain("register the API key", afterChange[1].Sql, StringComparison.Ordinal);
        Assert.All(afterChange, r => Assert.DoesNotContain(Key, r.Sql, StringComparison.Ordinal));
        Assert.All(afterChange, r => Assert.DoesNotContain(Rose.Core.Agents.ApiKeys.Hash(Key), r.Sql, StringComparison.Ordinal));
    }
}
