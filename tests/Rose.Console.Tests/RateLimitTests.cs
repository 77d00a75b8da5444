namespace Rose.Console.Tests;

/// <summary>Per-agent rate limit on the API: past the limit, 429 with Retry-After.</summary>
[Collection("postgres")]
public sealed class RateLimitTests(PostgresServerFixture pg)
{
    [Fact]
    public async Task Execute_PastTheAgentLimit_Is429WithRetryAfter()
    {
        await using var app = await RoseAppFactory.CreateAsync(pg, extra: new Dictionary<string, string?> { ["Rose:Auth:AgentRequestsPerMinute"] = "3" });
        using var agent = app.AgentClient();

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? last = null;
        for (var i = 0; i < 4; i++)
        {
            last = await agent.PostAsJsonAsync("/api/v1/sql/execute", new { database = "demo", sql = "SELECT 1", reason = "rate" });
            statuses.Add(last.StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, (HttpStatusCode)429], statuses);
        Assert.True(last!.Headers.RetryAfter is not null, "429 must carry Retry-After");
    }
}
