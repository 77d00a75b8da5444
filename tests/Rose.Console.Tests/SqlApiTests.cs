namespace Rose.Console.Tests;

/// <summary>The agent SQL API against the real host, policy, executor and audit log.</summary>
[Collection("postgres")]
public sealed class SqlApiTests(PostgresServerFixture pg, SharedRoseApp shared) : SharedHostTest(pg, shared)
{
    private static async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(HttpClient client, object body)
    {
        var response = await client.PostAsJsonAsync("/api/v1/sql/execute", body);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement);
    }

    [Fact]
    public async Task Execute_Select_ReturnsTypedRows()
    {
        using var client = App.AgentClient();

        var (status, body) = await PostAsync(client, new { database = "demo", sql = "SELECT id, name, price, made, big, payload, blob FROM widgets WHERE id = 2", reason = "test" });

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("succeeded", body.GetProperty("status").GetString());
        var statement = body.GetProperty("statements")[0];
        Assert.Equal("SELECT", statement.GetProperty("tag").GetString());
        var row = statement.GetProperty("rows")[0];
        Assert.Equal(2, row[0].GetInt32());
        Assert.Equal("widget 2", row[1].GetString());
        Assert.Equal("3.00", row[2].GetString()); // numeric stays a string: no precision lost
        Assert.Equal("2024-05-01T10:00:00+00:00", row[3].GetString());
        Assert.Equal("9007199254740993", row[4].GetString()); // beyond 2^53: a string
        Assert.Equal(2, row[5].GetProperty("k")[1].GetInt32()); // jsonb embedded
        Assert.Equal(Convert.ToBase64String([0x01, 0xff]), row[6].GetString());
        Assert.True(body.GetProperty("audit_id").GetInt64() > 0);
    }

    [Fact]
    public async Task Execute_Drop_IsParkedAndNothingChanges()
    {
        using var client = App.AgentClient();

        var (status, body) = await PostAsync(client, new { database = "demo", sql = "DROP TABLE widgets", reason = "cleanup" });

        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal("pending_approval", body.GetProperty("status").GetString());
        var approvalId = body.GetProperty("approval_id").GetInt64();
        Assert.Equal(20L, await TargetCountAsync());

        var approval = await client.GetFromJsonAsync<JsonElement>($"/api/v1/approvals/{approvalId}");
        Assert.Equal("pending", approval.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Execute_CreateFunction_IsDeniedWithReasons()
    {
        using var client = App.AgentClient();

        var (status, body) = await PostAsync(client, new { database = "demo", sql = "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'", reason = "x" });

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Equal("denied", body.GetProperty("code").GetString());
        Assert.Contains(body.GetProperty("reasons").EnumerateArray(), r => r.GetString()!.Contains("CREATE FUNCTION", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Execute_SqlError_Is422WithSqlState()
    {
        using var client = App.AgentClient();

        var (status, body) = await PostAsync(client, new { database = "demo", sql = "SELECT 1/0", reason = "x" });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal("failed", body.GetProperty("code").GetString());
        Assert.Equal("22012", body.GetProperty("error").GetProperty("sqlstate").GetString());
    }

    [Fact]
    public async Task Execute_DatabaseOutsidePolicy_Is403()
    {
        using var client = App.AgentClient();

        var (status, body) = await PostAsync(client, new { database = "postgres", sql = "SELECT 1", reason = "x" });

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains(body.GetProperty("reasons").EnumerateArray(), r => r.GetString()!.Contains("allowed_databases", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("rose_not_a_real_key_00000000000000")]
    public async Task Execute_NoOrBadKey_Is401(string? key)
    {
        using var client = key is null ? await App.ClientAsync() : App.AgentClient(key);

        var response = await client.PostAsJsonAsync("/api/v1/sql/execute", new { database = "demo", sql = "SELECT 1" });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("{\"database\": \"demo\"}")]
    [InlineData("{\"database\": \"demo\", \"sql\": \"   \"}")]
    [InlineData("{\"database\": \"demo\", \"sql\": \"SELECT 1\", \"max_rows\": -1}")]
    [InlineData("not json")]
    public async Task Execute_BadRequest_Is400(string json)
    {
        using var client = App.AgentClient();

        var response = await client.PostAsync("/api/v1/sql/execute", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Execute_EveryCall_HasAnAuditRowWithChannelApi()
    {
        using var client = App.AgentClient();
        await PostAsync(client, new { database = "demo", sql = "SELECT 1", reason = "audit me" });
        await PostAsync(client, new { database = "demo", sql = "DROP TABLE widgets", reason = "audit me" });

        var logs = await client.GetFromJsonAsync<JsonElement>("/api/v1/sql/logs?limit=10&q=audit");

        var entries = logs.GetProperty("entries").EnumerateArray().Where(e => e.GetProperty("reason").GetString() == "audit me").ToList();
        Assert.Equal(2, entries.Count);
        Assert.All(entries, e => Assert.Equal("api", e.GetProperty("channel").GetString()));
        Assert.All(entries, e => Assert.Equal("rose", e.GetProperty("executor").GetString()));
        Assert.Equal(["pending_approval", "succeeded"], entries.Select(e => e.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task Execute_OperatorCookie_RunsUnderTheOperatorRolePolicy()
    {
        using var alice = await App.ClientAsync("alice");
        using var dave = await App.ClientAsync("dave");

        var (aliceStatus, _) = await PostAsync(alice, new { database = "demo", sql = "SELECT 1", reason = "x" });
        var daveResponse = await dave.PostAsJsonAsync("/api/v1/sql/execute", new { database = "demo", sql = "SELECT 1" });

        Assert.Equal(HttpStatusCode.OK, aliceStatus);
        Assert.Equal(HttpStatusCode.Forbidden, daveResponse.StatusCode);
    }

    private async Task<long> TargetCountAsync()
    {
        await using var conn = new NpgsqlConnection(App.TargetConnection);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM widgets", conn);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
