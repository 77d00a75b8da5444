namespace Rose.Console.Tests.Safety;

/// <summary>
/// The review's findings through the HTTP API (the path `rose` and `rose mcp` use) against real
/// PostgreSQL, with an agent whose policy allows SELECT only; and input PostgreSQL refuses. One host for the
/// class: no test may change the seeded tables (each checks they are as seeded), and each NUL test counts the
/// rows of its own channel or database name, which no other test writes.
/// </summary>
[Collection("postgres")]
public sealed class SmugglingApiTests(PostgresServerFixture pg, SharedRoseApp shared) : SharedHostTest(pg, shared)
{
    private const string ReaderKey = "rose_test_reader_key_0123456789abcdef";
    private const string Smuggling = "SELECT 1 FROM customers LIMIT 1 FOR UPDATE; --x\rSELECT $q$\nDELETE FROM app_events --$q$";

    protected override IDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
    {
        ["Rose:Agents:reader:ApiKey"] = ReaderKey,
        ["Rose:Agents:reader:Policy:allowed_databases:0"] = "demo",
        ["Rose:Agents:reader:Policy:allowed_operations:0"] = "SELECT",
        ["Rose:Agents:reader:Policy:environment"] = "dev",
        ["Rose:Migrations:Snapshot"] = "false",
    };

    protected override async Task SeedAsync(RoseAppFactory app)
    {
        await using var conn = new NpgsqlConnection(app.TargetConnection);
        await conn.OpenAsync();
        await Rose.Core.Control.SqlScript.ExecuteAsync(conn, null,
            "CREATE TABLE customers (id int PRIMARY KEY); INSERT INTO customers SELECT generate_series(1, 5); " +
            "CREATE TABLE app_events (id int PRIMARY KEY); INSERT INTO app_events SELECT generate_series(1, 50);", CancellationToken.None);
    }

    private async Task AssertNothingChangedAndNoLockHeldAsync()
    {
        Assert.Equal(50L, await TargetScalarAsync("SELECT count(*) FROM app_events"));
        Assert.Equal(5L, await TargetScalarAsync("SELECT count(*) FROM customers"));
        Assert.Equal(0L, await TargetScalarAsync(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"));
    }

    [Theory]
    [InlineData("/api/v1/sql/execute")]
    [InlineData("/api/v1/sql/migrate")]
    public async Task SmuggledDelete_BySelectOnlyAgent_DeletesNothing_AndLeavesNoLock(string path)
    {
        using var client = App.AgentClient(ReaderKey);

        var (status, _) = await PostAsync(client, path, new { database = "demo", sql = Smuggling, reason = "regression" });

        Assert.NotEqual(HttpStatusCode.OK, status);
        await AssertNothingChangedAndNoLockHeldAsync();
    }

    /// <summary>Needs the parser branch (LOCK ROWS).</summary>
    [Fact]
    public async Task SelectForUpdate_BySelectOnlyAgent_IsDenied()
    {
        using var client = App.AgentClient(ReaderKey);

        var (status, body) = await PostAsync(client, "/api/v1/sql/execute", new { database = "demo", sql = "SELECT * FROM customers WHERE id = 1 FOR UPDATE", reason = "regression" });

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains(body.GetProperty("operations").EnumerateArray(), o => o.GetString() == "LOCK ROWS");
    }

    /// <summary>Needs the parser branch (one lexer).</summary>
    [Fact]
    public async Task DeleteAfterCarriageReturnComment_IsDenied_WithTheDeleteNamed()
    {
        using var client = App.AgentClient(ReaderKey);

        var (status, body) = await PostAsync(client, "/api/v1/sql/execute", new { database = "demo", sql = "SELECT 1; --\rDELETE FROM customers", reason = "regression" });

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains(body.GetProperty("reasons").EnumerateArray(), r => r.GetString()!.Contains("DELETE", StringComparison.Ordinal));
        await AssertNothingChangedAndNoLockHeldAsync();
    }

    [Theory]
    [InlineData("/api/v1/sql/execute", "api")]
    [InlineData("/api/v1/sql/migrate", "migration")]
    public async Task NulInSql_Is400NamingThePosition_AndTheAttemptIsAudited(string path, string channel)
    {
        using var client = App.AgentClient();

        var (status, body) = await PostAsync(client, path, new { database = "demo", sql = "DELETE FROM app_events;\0", reason = "nul" });

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("NUL character (U+0000) at offset 23", body.ToString(), StringComparison.Ordinal);
        Assert.Equal(1L, await ControlScalarAsync(
            $"SELECT count(*) FROM rose.audit_log a JOIN rose.audit_outcome o ON o.audit_id = a.id WHERE a.channel = '{channel}' AND a.decision = 'deny' AND o.status = 'denied' AND a.sql_text LIKE '%\\\\u0000%'"));
        await AssertNothingChangedAndNoLockHeldAsync();
    }

    [Fact]
    public async Task NulInDatabase_ThroughTheMcpChannel_Is400_AndAudited()
    {
        // The MCP execute route is what the server records as channel mcp for an agent key.
        using var client = App.AgentClient();

        var (status, body) = await PostAsync(client, "/api/v1/mcp/sql/execute", new { database = "de\0mo", sql = "SELECT 1", reason = "nul" });

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("database holds a NUL character (U+0000) at offset 2", body.ToString(), StringComparison.Ordinal);
        Assert.Equal(1L, await ControlScalarAsync("SELECT count(*) FROM rose.audit_log WHERE channel = 'mcp' AND database_name = 'de\\u0000mo'"));
    }
}
