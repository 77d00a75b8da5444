namespace Rose.Console.Tests;

/// <summary>The validation API's access rules and input checks, on one host for the class: who may run, who may read.</summary>
[Collection("postgres")]
public sealed class ValidationAccessTests(PostgresServerFixture pg, SharedRoseApp shared) : SharedHostTest(pg, shared)
{
    [Theory]
    [InlineData("alice", "POST", HttpStatusCode.OK)]          // operator runs
    [InlineData("dave", "POST", HttpStatusCode.Forbidden)]    // viewer may not run
    [InlineData("dave", "GET", HttpStatusCode.OK)]            // viewer reads history
    [InlineData(null, "GET", HttpStatusCode.Unauthorized)]    // anonymous reads nothing
    public async Task Endpoints_ByRole_AreAllowedOrRefused(string? user, string method, HttpStatusCode expected)
    {
        using var client = await App.ClientAsync(user);

        var response = method == "POST"
            ? await client.PostAsJsonAsync("/api/v1/validation/run", new { database = "demo" })
            : await client.GetAsync("/api/v1/validation/runs");

        Assert.Equal(expected, response.StatusCode);
    }

    [Theory]
    [InlineData("{}", HttpStatusCode.BadRequest)]
    [InlineData("{\"database\":\"nope\"}", HttpStatusCode.NotFound)]
    public async Task Run_BadInput_IsRefused(string json, HttpStatusCode expected)
    {
        using var client = App.AgentClient();

        var response = await client.PostAsync("/api/v1/validation/run", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(expected, response.StatusCode);
    }
}
