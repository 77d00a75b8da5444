namespace Rose.Console.Tests;

/// <summary>User-defined validation checks through the API: custom SQL must be one pure read.</summary>
[Collection("postgres")]
public sealed class ValidationCheckApiTests(PostgresServerFixture pg, SharedRoseApp shared) : SharedHostTest(pg, shared)
{
    [Theory]
    [InlineData("{\"kind\": \"custom_sql\", \"table\": \"widgets\", \"sql\": \"DELETE FROM widgets\"}", "check.sql")]
    [InlineData("{\"kind\": \"custom_sql\", \"table\": \"widgets\", \"sql\": \"SELECT 1; SELECT 2\"}", "one statement")]
    [InlineData("{\"kind\": \"teleport\", \"table\": \"widgets\"}", "check.kind")]
    [InlineData("{\"kind\": \"orphans\", \"table\": \"widgets\", \"columns\": [\"id\"]}", "ref_table")]
    [InlineData("{\"kind\": \"accepted_values\", \"table\": \"widgets\", \"columns\": [\"name\"]}", "check.values")]
    public async Task Create_BadCheck_Is400NamingTheField(string check, string expected)
    {
        using var alice = await App.ClientAsync("alice");

        var response = await alice.PostAsync("/api/v1/validation/checks",
            new StringContent($"{{\"database\": \"demo\", \"check\": {check}}}", System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_CustomSqlAndSoftForeignKey_AreStoredAndRunFindsTheirFailures()
    {
        using var alice = await App.ClientAsync("alice");
        var custom = await alice.PostAsJsonAsync("/api/v1/validation/checks", new
        {
            database = "demo",
            check = new { kind = "custom_sql", table = "widgets", sql = "SELECT id FROM widgets WHERE price > 27" },
        });
        Assert.Equal(HttpStatusCode.Created, custom.StatusCode);

        var run = await alice.PostAsJsonAsync("/api/v1/validation/run", new { database = "demo" });
        var body = await run.Content.ReadFromJsonAsync<JsonElement>();
        var result = body.GetProperty("results").EnumerateArray().Single(r => r.GetProperty("kind").GetString() == "custom_sql");
        Assert.Equal("fail", result.GetProperty("status").GetString());
        Assert.Equal(2, result.GetProperty("failing_rows").GetInt64()); // prices 28.5 and 30.0

        var list = await alice.GetFromJsonAsync<JsonElement>("/api/v1/validation/checks?database=demo");
        Assert.Contains(list.GetProperty("checks").EnumerateArray(), c => c.GetProperty("definition").GetProperty("kind").GetString() == "custom_sql");
    }
}
