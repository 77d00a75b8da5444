namespace Rose.Console.Tests.Faults;

/// <summary>
/// The target stalls during the COMMIT round trip (the proxy holds bytes from the moment the COMMIT is
/// sent). Whether the transaction committed is then unknown to the console, so it must not record a
/// guess: the caller hears 08007 (transaction resolution unknown), the attempt stays open, and
/// AuditRecovery writes the real outcome from pg_xact_status. Both sides of the coin: a COMMIT held
/// before the server saw it (rolled back: failed), and one the server ran whose answer was lost
/// (committed: succeeded, never "failed" for a row that is there).
/// </summary>
[Collection(PostgresSecondCollection.Name)]
public sealed class CommitStallTests(PostgresServerFixture pg) : FaultTest(pg, "stall", "CREATE TABLE stall_rows (id text PRIMARY KEY)")
{
    [Fact]
    public async Task StallDuringCommit_IsAnsweredUnknown_AndRecoveryRecordsWhatTheTargetDid()
    {
        // The COMMIT waits the connection's command timeout (2 s) for its answer; the cancel request is not waited for.
        // A connection opened through the stalled proxy gives up after 5 s instead of Npgsql's 15 s: the console opens
        // one (twice) before it answers, which took half a minute a call with the default.
        var settings = Settings(target: Through(TargetProxy, Target, t =>
        {
            t.CommandTimeout = 2;
            t.CancellationTimeout = -1;
            t.Timeout = 5;
        }));
        await using var console = await ConsoleProcess.StartAsync(settings);
        using var api = Client(console.BaseUrl);

        // "COMMIT\0": the query text as sent, so "READ COMMITTED" in the BEGIN does not trip it; and only on the
        // connection that sent the INSERT, not a background job's.
        TargetProxy.StallWhenClientSends("COMMIT\0", after: "INSERT INTO stall_rows", deliver: false);
        var neverLanded = await ExecuteUnknownAsync(api, "INSERT INTO stall_rows VALUES ('held')");
        // The held COMMIT is dropped with the connection (a resumed stall would still deliver it late): the server rolls back.
        TargetProxy.ResetAll();
        TargetProxy.Resume();

        TargetProxy.StallWhenClientSends("COMMIT\0", after: "INSERT INTO stall_rows", deliver: true);
        var landed = await ExecuteUnknownAsync(api, "INSERT INTO stall_rows VALUES ('landed')");
        TargetProxy.Resume();

        await Db.WaitUntilAsync(Control, $"SELECT count(*) = 2 FROM rose.audit_outcome WHERE audit_id IN ({neverLanded}, {landed})");
        Assert.Equal(new[] { "landed" }, await Db.ColumnAsync(Target, "SELECT id FROM stall_rows"));
        Assert.Equal("failed true", await OutcomeAsync(Control, neverLanded));
        Assert.Equal("succeeded true", await OutcomeAsync(Control, landed));

        using (var next = await Execute(api, "INSERT INTO stall_rows VALUES ('after')"))
        {
            Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        }

        var verify = await api.GetFromJsonAsync<JsonElement>("/api/v1/audit/verify");
        Assert.True(verify.GetProperty("valid").GetBoolean(), verify.ToString());
    }

    /// <summary>Runs the statement into the stalled COMMIT: 422 with SQLSTATE 08007, and no outcome written by the console itself.</summary>
    private static async Task<long> ExecuteUnknownAsync(HttpClient api, string sql)
    {
        using var response = await Execute(api, sql);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.UnprocessableEntity, body.ToString());
        Assert.Equal("08007", body.GetProperty("error").GetProperty("sqlstate").GetString());
        return body.GetProperty("audit_id").GetInt64();
    }

    private static Task<string> OutcomeAsync(string control, long auditId) =>
        Db.ScalarAsync<string>(control, $"SELECT status || ' ' || recovered FROM rose.audit_outcome WHERE audit_id = {auditId}");
}
