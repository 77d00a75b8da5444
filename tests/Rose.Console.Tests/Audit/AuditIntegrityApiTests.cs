using Rose.Core.Audit.Checkpoints;

namespace Rose.Console.Tests.Audit;

/// <summary>
/// What the audit log keeps of requests made through the HTTP API, read back through the API and from the table.
/// One host for the class: each test reads back the rows of its own reason or id, and only the redaction test
/// writes statements with secrets, so its counts over the whole log are what they were on a fresh host.
/// </summary>
[Collection("postgres")]
public sealed class AuditIntegrityApiTests(PostgresServerFixture pg, SharedRoseApp shared) : SharedHostTest(pg, shared)
{
    private async Task<string> ScalarAsync(string sql)
    {
        await using var conn = new NpgsqlConnection(App.ControlConnection);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return Convert.ToString(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture)!;
    }

    [Fact]
    public async Task SqlLogs_NeverReturnTheSecret()
    {
        using var client = App.AgentClient();
        string[] statements =
        [
            "CREATE USER u1 PASSWORD $$s3cretA$$",
            "CREATE USER u2 PASSWORD U&'s3cretB'",
            "ALTER USER u3 PASSWORD /*c*/ 's3cretC'",
            "ALTER ROLE u4 PASSWORD -- c\n's3cretD'",
            "SELECT dblink_connect('host=h password=' || 's3cretE')",
            "SELECT * FROM dblink('postgresql://u:s3cretF@h/db', 'SELECT 1') AS t(x int)",
            "CREATE USER MAPPING FOR bob SERVER s OPTIONS (user 'bob', \"password\" 's3cretG')",
        ];
        foreach (var sql in statements)
        {
            var response = await client.PostAsJsonAsync("/api/v1/sql/execute", new { database = "demo", sql, reason = "redaction" });
            Assert.True((int)response.StatusCode < 500, $"{sql}: {(int)response.StatusCode}");
        }

        var logs = await client.GetStringAsync("/api/v1/sql/logs?limit=100");

        Assert.Equal(statements.Length, JsonDocument.Parse(logs).RootElement.GetProperty("entries").EnumerateArray().Count(e => e.GetProperty("reason").GetString() == "redaction"));
        Assert.DoesNotContain("s3cret", logs, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("0", await ScalarAsync("SELECT count(*) FROM rose.audit_log WHERE sql_text ILIKE '%s3cret%'"));
        Assert.Equal("7", await ScalarAsync("SELECT count(*) FROM rose.audit_log WHERE sql_text LIKE '%''***''%'"));
    }

    [Fact]
    public async Task Execute_50KbOfPaddingThenDelete_TheStoredTextHoldsTheDelete()
    {
        using var client = App.AgentClient();
        var sql = "SELECT 1 /* " + new string('x', 50 * 1024) + " */; DELETE FROM widgets WHERE id = 20";

        var response = await client.PostAsJsonAsync("/api/v1/sql/execute", new { database = "demo", sql, reason = "padding" });
        var id = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("audit_id").GetInt64();

        Assert.EndsWith("DELETE FROM widgets WHERE id = 20", await ScalarAsync($"SELECT sql_text FROM rose.audit_log WHERE id = {id}"), StringComparison.Ordinal);
        var logs = JsonDocument.Parse(await client.GetStringAsync("/api/v1/sql/logs?limit=5")).RootElement;
        var entry = logs.GetProperty("entries").EnumerateArray().Single(e => e.GetProperty("id").GetInt64() == id);
        Assert.Equal(sql, entry.GetProperty("sql").GetString());
    }

    [Fact]
    public async Task Execute_HeaderClaimingMcp_IsRecordedAsApi_AndOnlyTheMcpEndpointWithAnAgentKeyIsMcp()
    {
        using var agent = App.AgentClient();
        agent.DefaultRequestHeaders.Add("X-Rose-Channel", "mcp");
        using var person = await App.ClientAsync("alice");

        await agent.PostAsJsonAsync("/api/v1/sql/execute", new { database = "demo", sql = "SELECT 1", reason = "claims mcp" });
        await person.PostAsJsonAsync("/api/v1/mcp/sql/execute", new { database = "demo", sql = "SELECT 2", reason = "person on mcp path" });
        await agent.PostAsJsonAsync("/api/v1/mcp/sql/execute", new { database = "demo", sql = "SELECT 3", reason = "agent on mcp path" });

        Assert.Equal("api", await ScalarAsync("SELECT channel FROM rose.audit_log WHERE reason = 'claims mcp'"));
        Assert.Equal("api", await ScalarAsync("SELECT channel FROM rose.audit_log WHERE reason = 'person on mcp path'"));
        Assert.Equal("mcp", await ScalarAsync("SELECT channel FROM rose.audit_log WHERE reason = 'agent on mcp path'"));
    }

    [Fact]
    public async Task Checkpoints_AreExportedToAdmins_WithValidSignatures()
    {
        using var agent = App.AgentClient();
        await agent.PostAsJsonAsync("/api/v1/sql/execute", new { database = "demo", sql = "SELECT 1", reason = "checkpoint" });
        var written = await App.Services.GetRequiredService<AuditCheckpoints>().WriteAsync(CancellationToken.None);
        using var admin = await App.ClientAsync("carol");

        var body = JsonDocument.Parse(await admin.GetStringAsync("/api/v1/audit/checkpoints")).RootElement;
        var last = body.GetProperty("checkpoints").EnumerateArray().Last();

        Assert.Equal(written!.Id, last.GetProperty("id").GetInt64());
        Assert.Equal(written.Hash, last.GetProperty("hash").GetString());
        Assert.True(last.GetProperty("signature_valid").GetBoolean());
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, (await agent.GetAsync("/api/v1/audit/checkpoints")).StatusCode);
    }
}
