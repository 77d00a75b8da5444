namespace Rose.Console.Tests.Advisor;

/// <summary>The advisor API against the real host and a real target: who may call it, bad input, unknown databases, and real answers.</summary>
[Collection("postgres")]
public sealed class AdvisorApiTests(PostgresServerFixture pg, SharedRoseApp shared) : SharedHostTest(pg, shared)
{
    [Theory]
    [InlineData("alice", HttpStatusCode.OK)]        // operator
    [InlineData("dave", HttpStatusCode.Forbidden)]  // viewer: the advisor reads the target
    [InlineData(null, HttpStatusCode.Unauthorized)]
    public async Task Health_ByRole_IsAllowedOrRefused(string? user, HttpStatusCode expected)
    {
        using var client = await App.ClientAsync(user);

        var response = await client.GetAsync("/api/v1/advisor/demo/health");

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task Health_AsAgent_ListsEveryCheckWithStatusAndRemediation()
    {
        using var client = App.AgentClient();

        var body = await client.GetFromJsonAsync<JsonElement>("/api/v1/advisor/demo/health");

        var checks = body.GetProperty("checks").EnumerateArray().ToList();
        Assert.Contains(checks, c => c.GetProperty("name").GetString() == "transaction_id_wraparound");
        Assert.All(checks, c =>
        {
            Assert.Contains(c.GetProperty("status").GetString(), new[] { "ok", "warning", "critical" });
            Assert.False(string.IsNullOrEmpty(c.GetProperty("detail").GetString()));
            Assert.True(c.TryGetProperty("remediation_sql", out _));
        });
    }

    [Fact]
    public async Task UnknownDatabase_Is404WithItsName()
    {
        using var client = await App.ClientAsync("alice");

        var response = await client.GetAsync("/api/v1/advisor/nope/queries?top=5");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("'nope'", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{}", "queries")]
    [InlineData("{\"queries\": [\"SELECT 1\", \" \"]}", "queries[1]")]
    [InlineData("{\"workload\": true, \"top\": 0}", "top")]
    [InlineData("{\"workload\": true, \"queries\": [\"SELECT 1\"]}", "workload")]
    public async Task Indexes_BadBody_Is400NamingTheField(string json, string field)
    {
        using var client = await App.ClientAsync("alice");

        var response = await client.PostAsync("/api/v1/advisor/demo/indexes", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString();
        Assert.Contains(field, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Queries_TopOutOfRange_Is400()
    {
        using var client = await App.ClientAsync("alice");

        var response = await client.GetAsync("/api/v1/advisor/demo/queries?top=0");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Queries_WithoutPgStatStatements_SaysHowToEnableIt()
    {
        using var client = await App.ClientAsync("alice");

        var body = await client.GetFromJsonAsync<JsonElement>("/api/v1/advisor/demo/queries?top=5");

        Assert.Empty(body.GetProperty("queries").EnumerateArray());
        Assert.Contains("shared_preload_libraries", body.GetProperty("unavailable").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Indexes_ForAQuery_AnswersTheContractShape()
    {
        using var client = await App.ClientAsync("alice");

        var response = await client.PostAsJsonAsync("/api/v1/advisor/demo/indexes", new { queries = new[] { "SELECT * FROM widgets WHERE big = 3" } });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        // The console tests' target has no hypopg: the advice is plan-based and says so.
        Assert.False(body.GetProperty("hypopg").GetBoolean());
        Assert.Contains(body.GetProperty("notes").EnumerateArray(), n => n.GetString()!.Contains("unproven", StringComparison.Ordinal));
        var recommendation = Assert.Single(body.GetProperty("recommendations").EnumerateArray());
        Assert.Equal("widgets", recommendation.GetProperty("table").GetString());
        Assert.Equal("big", Assert.Single(recommendation.GetProperty("columns").EnumerateArray()).GetString());
        Assert.StartsWith("CREATE INDEX CONCURRENTLY", recommendation.GetProperty("create_index_sql").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, recommendation.GetProperty("estimated_speedup").ValueKind);
        Assert.Equal(JsonValueKind.Null, recommendation.GetProperty("size_bytes").ValueKind);
        Assert.Single(recommendation.GetProperty("queries").EnumerateArray());
    }

    [Fact]
    public async Task PerformancePage_ForAnOperator_ShowsHowToEnablePgStatStatements()
    {
        using var client = await App.ClientAsync("alice");

        var html = await client.GetStringAsync("/performance?database=demo");

        Assert.Matches("<h1[^>]*>Performance</h1>", html);
        Assert.Contains("performance-pgss-missing", html, StringComparison.Ordinal);
        Assert.Contains("shared_preload_libraries", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Explain_Select_IsMeasuredThroughThePipeline_WithNodesSharesAndBuffers()
    {
        using var client = await App.ClientAsync("alice");

        var response = await client.PostAsJsonAsync("/api/v1/advisor/demo/explain", new { query = "SELECT * FROM widgets WHERE big > 3 ORDER BY name", reason = "why is it slow" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("succeeded", body.GetProperty("status").GetString());
        Assert.True(body.GetProperty("analyzed").GetBoolean());
        Assert.True(body.GetProperty("audit_id").GetInt64() > 0);
        var nodes = body.GetProperty("nodes").EnumerateArray().ToList();
        var scan = Assert.Single(nodes, n => n.GetProperty("relation").GetString() == "widgets");
        Assert.Equal(20, scan.GetProperty("actual_rows").GetDouble());
        Assert.True(scan.GetProperty("buffers").GetProperty("shared_hit").GetDouble() + scan.GetProperty("buffers").GetProperty("shared_read").GetDouble() > 0);
        Assert.InRange(nodes.Sum(n => n.GetProperty("share").GetDouble()), 0.99, 1.01);
    }

    [Fact]
    public async Task Explain_Delete_WhenDeleteNeedsApproval_IsParkedAndNothingIsDeleted()
    {
        await using var strict = await RoseAppFactory.CreateAsync(Pg, extra: new Dictionary<string, string?>
        {
            ["Rose:Roles:operator:Policy:requires_approval:3"] = "DELETE",
        });
        using var client = await strict.ClientAsync("alice");

        var response = await client.PostAsJsonAsync("/api/v1/advisor/demo/explain", new { query = "DELETE FROM widgets WHERE id = 1" });

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("pending_approval", body.GetProperty("status").GetString());
        Assert.True(body.GetProperty("approval_id").GetInt64() > 0);
        await using var target = new Npgsql.NpgsqlConnection(strict.TargetConnection);
        await target.OpenAsync();
        await using var count = new Npgsql.NpgsqlCommand("SELECT count(*) FROM widgets", target);
        Assert.Equal(20L, (long)(await count.ExecuteScalarAsync())!);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"query\": \"SELECT 1; SELECT 2\"}")]
    public async Task Explain_BadBody_Is400NamingTheQuery(string json)
    {
        using var client = await App.ClientAsync("alice");

        var response = await client.PostAsync("/api/v1/advisor/demo/explain", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("statement", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString(), StringComparison.Ordinal);
    }
}
