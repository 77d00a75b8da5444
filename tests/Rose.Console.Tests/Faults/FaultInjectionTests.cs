namespace Rose.Console.Tests.Faults;

/// <summary>
/// Faults between a real console process and its databases (a <see cref="FaultProxy"/> in front of the
/// control and the target database) and kill -9 of the console. Each asserts the audit's invariants:
/// nothing ran without an attempt row, nothing ran twice, callers get a clear answer (a 503 with
/// Retry-After while the control database is away, never a 500), and the console recovers by itself.
/// </summary>
[Collection(PostgresSecondCollection.Name)]
public sealed class FaultInjectionTests(PostgresServerFixture pg) : FaultTest(pg, "fault", "CREATE TABLE fault_rows (id text PRIMARY KEY)")
{
    /// <summary>The console's INSERT is on the target, waiting for the table lock the test holds: mid-statement.</summary>
    private const string Waiting = "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'INSERT INTO fault_rows%' AND state = 'active' AND wait_event_type = 'Lock'";

    /// <summary>
    /// The console with both databases behind proxies. <paramref name="connectTimeoutSeconds"/>: how long the console's
    /// connection attempts to the target wait (Npgsql's Timeout, 15 s by default); through a stalled proxy every
    /// attempt waits all of it, and the console makes two before it answers.
    /// </summary>
    private Task<ConsoleProcess> StartAsync(int? controlPoolSize = null, string lockTimeoutSeconds = "25", string? statementTimeoutSeconds = null,
        int? connectTimeoutSeconds = null)
    {
        var settings = Settings(
            control: Through(ControlProxy, Control, c =>
            {
                if (controlPoolSize is { } size)
                {
                    c.MaxPoolSize = size;
                    c.Timeout = 2;
                }
            }),
            target: Through(TargetProxy, Target, t =>
            {
                if (connectTimeoutSeconds is { } seconds)
                {
                    t.Timeout = seconds;
                }
            }));
        settings["Rose__Targets__demo__LockTimeoutSeconds"] = lockTimeoutSeconds;
        if (statementTimeoutSeconds is not null)
        {
            settings["Rose__Targets__demo__StatementTimeoutSeconds"] = statementTimeoutSeconds;
        }

        return ConsoleProcess.StartAsync(settings);
    }

    [Fact]
    public async Task TargetConnectionResetMidStatement_FailsClearly_KeepsNothing_AndTheNextRequestRuns()
    {
        await using var console = await StartAsync();
        using var api = Client(console.BaseUrl);
        JsonElement failed;

        await using (var hold = await Db.HoldTableAsync(Target, "fault_rows"))
        {
            var slow = Execute(api, "INSERT INTO fault_rows VALUES ('reset-1')");
            await Db.WaitUntilAsync(Target, Waiting);
            TargetProxy.ResetAll();
            using var response = await slow;
            failed = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        }

        var body = failed;

        Assert.True(body.GetProperty("error").GetProperty("sqlstate").ToString().StartsWith("08", StringComparison.Ordinal), body.ToString());
        await Db.WaitUntilAsync(Target, "SELECT count(*) = 0 FROM pg_stat_activity WHERE query LIKE 'INSERT INTO fault_rows%' AND state <> 'idle'");
        Assert.Equal(0L, await Db.ScalarAsync<long>(Target, "SELECT count(*) FROM fault_rows WHERE id LIKE 'reset-%'"));
        Assert.Equal("failed", await Db.ScalarAsync<string>(Control, $"SELECT status FROM rose.audit_outcome WHERE audit_id = {body.GetProperty("audit_id").GetInt64()}"));

        using var next = await Execute(api, "INSERT INTO fault_rows VALUES ('after-reset')");
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Fact]
    public async Task StalledTargetMidStatement_HitsTheClientSideTimeout_FailsClearly_AndIsAudited()
    {
        // A 2 s statement timeout: the server would end the wait itself, but its answer never gets through the stalled proxy.
        await using var console = await StartAsync(lockTimeoutSeconds: "2", statementTimeoutSeconds: "2", connectTimeoutSeconds: 5);
        using var api = Client(console.BaseUrl);
        JsonElement body;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await using (var hold = await Db.HoldTableAsync(Target, "fault_rows"))
        {
            var stalled = Execute(api, "INSERT INTO fault_rows VALUES ('stalled-1')");
            await Db.WaitUntilAsync(Target, Waiting);
            TargetProxy.Stall();
            clock.Restart();
            using var response = await stalled;
            body = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        }

        // Statement timeout (2 s) + grace (5 s), then the console's connection attempts through the stall, each given up
        // after the 5 s connect timeout set above (about 17 s in all; 37 s with Npgsql's default 15 s); without the client
        // timeout, TCP keepalive's hours.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(90), $"the answer took {clock.Elapsed}");
        TargetProxy.Resume();
        var error = body.GetProperty("error");
        Assert.Equal("08006", error.GetProperty("sqlstate").GetString());
        Assert.Contains("did not answer within 7 s", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("failed", await Db.ScalarAsync<string>(Control, $"SELECT status FROM rose.audit_outcome WHERE audit_id = {body.GetProperty("audit_id").GetInt64()}"));

        // The abandoned backend ends its transaction once it hears its client is gone: nothing of it is kept.
        await Db.WaitUntilAsync(Target, "SELECT count(*) = 0 FROM pg_stat_activity WHERE query LIKE 'INSERT INTO fault_rows%' AND state <> 'idle'");
        Assert.Equal(0L, await Db.ScalarAsync<long>(Target, "SELECT count(*) FROM fault_rows WHERE id = 'stalled-1'"));
        using var next = await Execute(api, "INSERT INTO fault_rows VALUES ('after-stall')");
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Fact]
    public async Task TargetUnreachable_IsAFailedAttemptNamingTheConnection_NotA500()
    {
        await using var console = await StartAsync();
        using var api = Client(console.BaseUrl);
        TargetProxy.GoDown();
        try
        {
            using var response = await Execute(api, "INSERT INTO fault_rows VALUES ('unreachable')");

            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Contains("could not be reached", body.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
            Assert.Equal("failed", await Db.ScalarAsync<string>(Control, $"SELECT status FROM rose.audit_outcome WHERE audit_id = {body.GetProperty("audit_id").GetInt64()}"));
        }
        finally
        {
            TargetProxy.Resume();
        }

        using var next = await Execute(api, "INSERT INTO fault_rows VALUES ('reachable-again')");
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    /// <summary>Polls until the condition holds; a minute without it fails the test with the phase that stalled.</summary>
    private static async Task WaitForAsync(Func<bool> condition, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(condition))] string what = "")
    {
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "still waiting after a minute for: " + what);
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task ControlDatabaseRestartUnderLoad_Is503WithRetryAfter_NeverA500_AndEveryRowThatRanIsAudited()
    {
        await using var console = await StartAsync();
        // A queue keeps the order the answers came in (a bag does not), which the last assertion reads.
        var statuses = new System.Collections.Concurrent.ConcurrentQueue<(HttpStatusCode Status, bool RetryAfter, string Body)>();
        using var stop = new CancellationTokenSource();
        var callers = Enumerable.Range(1, 4).Select(w => Task.Run(async () =>
        {
            using var api = Client(console.BaseUrl);
            for (var n = 1; !stop.IsCancellationRequested; n++)
            {
                using var response = await Execute(api, $"INSERT INTO fault_rows VALUES ('load-{w}-{n}')");
                statuses.Enqueue((response.StatusCode, response.Headers.RetryAfter is not null, await response.Content.ReadAsStringAsync()));
                if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
                {
                    await Task.Delay(100);
                }
            }
        })).ToList();

        // Phases wait for what they need to see rather than for fixed times: a loaded machine answers slowly.
        await WaitForAsync(() => statuses.Any(s => s.Status == HttpStatusCode.OK));
        ControlProxy.GoDown();
        var down = statuses.Count;
        await WaitForAsync(() => statuses.Skip(down).Any(s => s.Status == HttpStatusCode.ServiceUnavailable));
        ControlProxy.Resume();
        var resumed = statuses.Count;
        await WaitForAsync(() => statuses.Skip(resumed).Count(s => s.Status == HttpStatusCode.OK) >= 3);
        await stop.CancelAsync();
        await Task.WhenAll(callers);

        Assert.DoesNotContain(statuses, s => s.Status == HttpStatusCode.InternalServerError);
        var unavailable = statuses.Where(s => s.Status == HttpStatusCode.ServiceUnavailable).ToList();
        Assert.NotEmpty(unavailable);
        Assert.All(unavailable, s => Assert.True(s.RetryAfter, "a 503 without Retry-After: " + s.Body));
        Assert.All(statuses, s => Assert.DoesNotContain("   at ", s.Body, StringComparison.Ordinal));
        Assert.Contains(statuses, s => s.Status == HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.OK, statuses.Last(s => s.Status != HttpStatusCode.ServiceUnavailable).Status);

        // Nothing ran without an attempt row, and nothing is left open once recovery has run.
        await Db.WaitUntilAsync(Control, NoOpenAttempt);
        var rows = await Db.ColumnAsync(Target, "SELECT id FROM fault_rows WHERE id LIKE 'load-%'");
        var audited = await Db.ColumnAsync(Control, """
            SELECT substring(a.sql_text FROM '''(load-[0-9-]+)''') FROM rose.audit_log a JOIN rose.audit_outcome o ON o.audit_id = a.id
            WHERE o.status = 'succeeded' AND a.sql_text LIKE '%load-%'
            """);
        Assert.Empty(rows.Except(audited));
        Assert.Empty(audited.Except(rows));
    }

    [Fact]
    public async Task ControlPoolExhausted_CallersGet200Or503WithRetryAfter_NeverA500()
    {
        await using var console = await StartAsync(controlPoolSize: 6);
        using var api = Client(console.BaseUrl);

        var responses = await Task.WhenAll(Enumerable.Range(1, 48).Select(async i =>
        {
            try
            {
                using var response = await Execute(api, $"INSERT INTO fault_rows VALUES ('pool-{i}')");
                return (response.StatusCode, RetryAfter: response.Headers.RetryAfter is not null, Body: await response.Content.ReadAsStringAsync());
            }
            catch (HttpRequestException)
            {
                // The console dropped the connection: the worst answer of all, reported below with its log.
                return (StatusCode: (HttpStatusCode)0, RetryAfter: false, Body: string.Empty);
            }
        }));

        // 422 is a failed, audited attempt (the target's connect timed out on a loaded machine); what must never come is a 500 or a dropped connection.
        Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.OK or HttpStatusCode.UnprocessableEntity || (r.StatusCode == HttpStatusCode.ServiceUnavailable && r.RetryAfter),
            $"{r.StatusCode} (Retry-After: {r.RetryAfter}) {r.Body}"));
        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.OK);
        await Db.WaitUntilAsync(Control, NoOpenAttempt);
        var rows = await Db.ColumnAsync(Target, "SELECT id FROM fault_rows WHERE id LIKE 'pool-%'");
        var audited = await Db.ColumnAsync(Control, """
            SELECT substring(a.sql_text FROM '''(pool-[0-9]+)''') FROM rose.audit_log a JOIN rose.audit_outcome o ON o.audit_id = a.id
            WHERE o.status = 'succeeded' AND a.sql_text LIKE '%pool-%'
            """);
        Assert.Equal(rows.Order(), audited.Order());
    }

    [Fact]
    public async Task KillDuringAnExecution_TheRestartRecordsItFailed_AndNothingOfItIsKept()
    {
        var console = await StartAsync();
        using (var api = Client(console.BaseUrl))
        {
            await using var hold = await Db.HoldTableAsync(Target, "fault_rows");
            var slow = Execute(api, "INSERT INTO fault_rows VALUES ('killed-1')");
            await Db.WaitUntilAsync(Target, Waiting);
            await console.KillAsync();
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => slow);
        }

        // The orphaned backend finishes its INSERT once the lock is gone, then finds no client and no COMMIT.
        await Db.WaitUntilAsync(Target, "SELECT count(*) = 0 FROM pg_stat_activity WHERE query LIKE 'INSERT INTO fault_rows%' AND state <> 'idle'");

        await console.DisposeAsync();
        await using var restarted = await StartAsync();
        await Db.WaitUntilAsync(Control, NoOpenAttempt);

        Assert.Equal(0L, await Db.ScalarAsync<long>(Target, "SELECT count(*) FROM fault_rows WHERE id LIKE 'killed-%'"));
        var outcome = await Db.ScalarAsync<string>(Control, """
            SELECT o.status || ' ' || o.recovered FROM rose.audit_log a JOIN rose.audit_outcome o ON o.audit_id = a.id
            WHERE a.sql_text LIKE '%killed-%'
            """);
        Assert.Equal("failed True", outcome, ignoreCase: true);
        using var verify = Client(restarted.BaseUrl);
        var report = await verify.GetFromJsonAsync<JsonElement>("/api/v1/audit/verify");
        Assert.True(report.GetProperty("valid").GetBoolean(), report.ToString());
    }
}
