namespace Rose.Console.Tests;

/// <summary>
/// What a validation run through the API answers and records, each test on a fresh host: the first run adopts
/// the suggested checks and is the only run listed, and the run's reads are the only validation reads in the log.
/// </summary>
[Collection("postgres")]
public sealed class ValidationApiTests(PostgresServerFixture pg) : HostTest(pg)
{
    [Fact]
    public async Task Run_AsAgent_ReturnsResultsFailingFirstAndRecordsTheRun()
    {
        using var client = App.AgentClient();

        var response = await client.PostAsJsonAsync("/api/v1/validation/run", new { database = "demo" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("completed", body.GetProperty("status").GetString());
        var result = Assert.Single(body.GetProperty("results").EnumerateArray(), r => r.GetProperty("key").GetString() == "row_count:public.widgets");
        Assert.Equal("pass", result.GetProperty("status").GetString());
        Assert.Equal(20m, result.GetProperty("observed").GetDecimal());
        Assert.Contains("count(*)", result.GetProperty("sql").GetString(), StringComparison.Ordinal);
        Assert.Contains(body.GetProperty("findings").EnumerateArray(), f => f.GetProperty("rule").GetString() == "timestamp_without_time_zone" || f.GetProperty("rule").GetString() == "missing_timestamps");

        var runs = await client.GetFromJsonAsync<JsonElement>("/api/v1/validation/runs?database=demo");
        var run = Assert.Single(runs.GetProperty("runs").EnumerateArray());
        Assert.Equal(body.GetProperty("run_id").GetInt64(), run.GetProperty("id").GetInt64());
        // The first run adopts the suggested checks too, so the summary counts every passing result.
        var passing = body.GetProperty("results").EnumerateArray().Count(r => r.GetProperty("status").GetString() == "pass");
        Assert.True(passing >= 1);
        Assert.Equal(passing, run.GetProperty("summary").GetProperty("pass").GetInt32());
        // The last sign of life of a finished run is when it finished.
        Assert.Equal(run.GetProperty("finished_at").GetDateTimeOffset(), run.GetProperty("heartbeat_at").GetDateTimeOffset());

        var detail = await client.GetFromJsonAsync<JsonElement>($"/api/v1/validation/runs/{run.GetProperty("id").GetInt64()}");
        Assert.Equal(body.GetProperty("results").GetArrayLength(), detail.GetProperty("results").GetArrayLength());
    }

    [Fact]
    public async Task Run_ReadsThroughThePipeline_OnChannelValidation()
    {
        using var client = App.AgentClient();
        await client.PostAsJsonAsync("/api/v1/validation/run", new { database = "demo" });

        var logs = await client.GetFromJsonAsync<JsonElement>("/api/v1/sql/logs?database=demo&limit=100");

        var entries = logs.GetProperty("entries").EnumerateArray().Where(e => e.GetProperty("channel").GetString() == "validation").ToList();
        Assert.NotEmpty(entries);
        Assert.All(entries, e => Assert.Equal("succeeded", e.GetProperty("status").GetString()));
        Assert.All(entries, e => Assert.Equal("rose", e.GetProperty("executor").GetString()));
    }
}
