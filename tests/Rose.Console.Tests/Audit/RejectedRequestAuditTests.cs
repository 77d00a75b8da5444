using System.Text;
using Rose.Core.Audit;

namespace Rose.Console.Tests.Audit;

/// <summary>Requests to run SQL refused before the pipeline still leave a row, throttled per source.</summary>
[Collection("postgres")]
public sealed class RejectedRequestAuditTests(PostgresServerFixture pg) : HostTest(pg)
{
    protected override IDictionary<string, string?> ExtraSettings => new Dictionary<string, string?> { ["Rose:Execution:MaxSqlLength"] = "100" };

    private async Task<List<(string Executor, string Name, string Reason, string Status)>> RejectedRowsAsync()
    {
        await using var conn = new NpgsqlConnection(App.ControlConnection);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("""
            SELECT a.executor_id, a.executor_name, a.decision_reasons[1], o.status
            FROM rose.audit_log a JOIN rose.audit_outcome o ON o.audit_id = a.id
            WHERE a.operations = ARRAY['REJECTED'] ORDER BY a.id
            """, conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        var rows = new List<(string, string, string, string)>();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)));
        }

        return rows;
    }

    private static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");

    [Fact]
    public async Task BadJson_TooLong_NoKey_WrongKey_AreEachRecordedWithTheReason()
    {
        using var agent = App.AgentClient();
        using var anonymous = await App.ClientAsync();
        using var guesser = App.AgentClient("rose_guessedkey_0123456789abcdef");

        Assert.Equal(HttpStatusCode.BadRequest, (await agent.PostAsync("/api/v1/sql/execute", Json("{not json"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await agent.PostAsJsonAsync("/api/v1/sql/execute", new { database = "demo", sql = "SELECT " + new string('1', 200) })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/api/v1/sql/execute", Json("{}"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await guesser.PostAsync("/api/v1/mcp/sql/execute", Json("{}"))).StatusCode);
        var rows = await RejectedRowsAsync();

        Assert.True(rows.Count == 4, string.Join(" | ", rows));
        Assert.All(rows, r => Assert.Equal(AuditStatus.Denied, r.Status));
        Assert.Equal("rose", rows[0].Executor);
        Assert.StartsWith("HTTP 400", rows[0].Reason, StringComparison.Ordinal);
        Assert.StartsWith("HTTP 400", rows[1].Reason, StringComparison.Ordinal);
        Assert.Equal("unauthenticated", rows[2].Executor);
        Assert.Contains("key none", rows[2].Reason, StringComparison.Ordinal);
        Assert.Contains("key rose_guessed", rows[3].Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(rows, r => r.Reason.Contains("0123456789abcdef", StringComparison.Ordinal) || r.Name.Contains("0123456789abcdef", StringComparison.Ordinal));
        Assert.True((await App.Services.GetRequiredService<AuditChainVerifier>().VerifyAsync(null, null, CancellationToken.None)).Valid);
    }

    [Fact]
    public async Task AFlood_IsRecordedUpToTheLimit_ThenTheThrottlingOnce()
    {
        using var anonymous = await App.ClientAsync();

        for (var i = 0; i < RejectedRequestLog.PerWindow + 15; i++)
        {
            await anonymous.PostAsync("/api/v1/sql/execute", Json("{}"));
        }

        var rows = await RejectedRowsAsync();
        Assert.Equal(RejectedRequestLog.PerWindow + 1, rows.Count);
        Assert.Contains("is not recorded", rows[^1].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ABodyOverKestrelsLimit_Is413_AndRecordedWithTheKeyPrefix()
    {
        // The request size limit is Kestrel's, so this one goes over a real socket.
        await using var host = await RealHost.StartAsync(App.Settings);
        // A loaded machine may take more than the default second to answer; the body must not go out before the 413 does.
        using var handler = new SocketsHttpHandler { Expect100ContinueTimeout = TimeSpan.FromSeconds(60) };
        using var http = new HttpClient(handler) { BaseAddress = host.Url };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", RoseAppFactory.AgentKey);
        // Kestrel answers 413 from the Content-Length before reading; without 100-continue the client would still be sending.
        http.DefaultRequestHeaders.ExpectContinue = true;
        var body = "{\"database\":\"demo\",\"sql\":\"SELECT '" + new string('x', 5 * 1024 * 1024) + "'\"}";

        using var response = await http.PostAsync("/api/v1/sql/execute", Json(body));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var rows = await RejectedRowsAsync();
        var row = Assert.Single(rows);
        Assert.StartsWith("HTTP 413", row.Reason, StringComparison.Ordinal);
        Assert.Equal(AuditStatus.Denied, row.Status);
        Assert.DoesNotContain("xxxx", row.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARequestThePipelineRecorded_IsNotRecordedTwice()
    {
        using var agent = App.AgentClient();

        var response = await agent.PostAsJsonAsync("/api/v1/sql/execute", new { database = "demo", sql = "SELECT pg_terminate_backend(1)", reason = "denied by policy" });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Empty(await RejectedRowsAsync());
    }
}
