namespace Rose.Console.Tests.Faults;

/// <summary>
/// kill -9 of the console while an audit group commit is in flight. The chain writer batches the
/// attempts that queue up while a transaction is open into the next one (AuditChainWriter); here
/// seven attempts are chained in one transaction that commits on the control database while its
/// answer is held by a stalled proxy, two more wait in the writer's queue behind it, and then the console dies.
/// The restart must resolve all of it from the target's transaction ids: nothing ran without an
/// attempt row, nothing ran twice, every attempt has an outcome, and the chain verifies.
/// </summary>
[Collection(PostgresSecondCollection.Name)]
public sealed class KillDuringAuditGroupCommitTests(PostgresServerFixture pg) : FaultTest(pg, "gc", "CREATE TABLE gc_rows (id int PRIMARY KEY)")
{
    /// <summary>The chain writer's advisory lock (AuditChainWriter.ChainLockKey, "RoseAudi"): holding it holds every audit write.</summary>
    private const long ChainLockKey = 0x526f_7365_4175_6469;

    private const string LockWaiters = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())";

    /// <summary>Requests that opened their target transaction (its id read) and wait for their attempt row, at least {0}.</summary>
    private const string WaitingOnTheirAttempt = "SELECT count(*) >= {0} FROM pg_stat_activity WHERE datname = current_database() AND state = 'idle in transaction'";

    [Fact]
    public async Task KillWhileAGroupCommitIsInFlight_TheRestartResolvesEveryAttempt_NothingRanTwiceOrUnrecorded_AndTheChainVerifies()
    {
        // The console hears the control database through the proxy; the test reads it directly.
        var settings = Settings(control: ControlProxy.Rewrite(Control));

        await using var console = await ConsoleProcess.StartAsync(settings);
        long before;
        long[] grouped;
        var calls = new List<Task<HttpResponseMessage>>();
        using (var api = Client(console.BaseUrl))
        {
            // One write first: the writer then knows the chain's head and sends a batch in one round trip.
            using (var warm = await Insert(api, 0))
            {
                warm.EnsureSuccessStatusCode();
            }

            before = await Db.ScalarAsync<long>(Control, "SELECT max(id) FROM rose.audit_log");
            await using var first = await LockAsync(Control);
            calls.Add(Insert(api, 1));
            // The first batch (one attempt) waits on the chain lock; the next seven queue in the writer behind it.
            await Db.WaitUntilAsync(Control, LockWaiters);
            calls.AddRange(Enumerable.Range(2, 7).Select(n => Insert(api, n)));
            await Db.WaitUntilAsync(Target, string.Format(System.Globalization.CultureInfo.InvariantCulture, WaitingOnTheirAttempt, 8));
            await Task.Delay(500);

            // A second holder queues on the lock behind the first batch, so the second batch (the seven) waits behind it.
            await using var second = new NpgsqlConnection(Control);
            await second.OpenAsync();
            var secondGranted = Exec(second, $"SELECT pg_advisory_lock({ChainLockKey})");
            await Db.WaitUntilAsync(Control, $"SELECT ({LockWaiters}) >= 2");
            await Exec(first.Connection, $"SELECT pg_advisory_unlock({ChainLockKey})");
            await secondGranted;
            await Db.WaitUntilAsync(Control, $"SELECT count(*) = 1 FROM rose.audit_log WHERE id > {before}");
            await Db.WaitUntilAsync(Control, LockWaiters);

            // Two more attempts queue in the writer behind the second batch: they will never reach the control database.
            calls.Add(Insert(api, 9));
            calls.Add(Insert(api, 10));
            await Db.WaitUntilAsync(Target, string.Format(System.Globalization.CultureInfo.InvariantCulture, WaitingOnTheirAttempt, 9));
            await Task.Delay(500);

            // The second batch's INSERTs and COMMIT are at the server, waiting on the lock. From now on the console hears nothing.
            ControlProxy.Stall();
            await Exec(second, $"SELECT pg_advisory_unlock({ChainLockKey})");
            await Db.WaitUntilAsync(Control, $"SELECT count(*) = 8 FROM rose.audit_log WHERE id > {before}");
            grouped = [.. (await Db.ColumnAsync(Control, $"SELECT id::text FROM rose.audit_log WHERE id > {before + 1} ORDER BY id")).Select(long.Parse)];
            Assert.Equal(7, grouped.Length);
            Assert.Equal(1L, await Db.ScalarAsync<long>(Control, $"SELECT count(DISTINCT xmin::text) FROM rose.audit_log WHERE id > {before + 1}"));
            await console.KillAsync();
            ControlProxy.Resume();
            // The first call may have had its answer before the stall; none of the others can have.
            foreach (var call in calls.Skip(1))
            {
                await Assert.ThrowsAnyAsync<HttpRequestException>(() => call);
            }
        }

        await console.DisposeAsync();
        await using var restarted = await ConsoleProcess.StartAsync(settings);
        await Db.WaitUntilAsync(Control, NoOpenAttempt);

        // The seven chained in the killed commit were written, their statements never sent: recovered failed from their target transactions.
        var groupedOutcomes = await Db.ColumnAsync(Control, $"""
            SELECT o.status || ' ' || o.recovered || ' ' || (a.target_xid IS NOT NULL) FROM rose.audit_log a JOIN rose.audit_outcome o ON o.audit_id = a.id
            WHERE a.id = ANY (ARRAY[{string.Join(',', grouped)}]::bigint[])
            """);
        Assert.Equal(Enumerable.Repeat("failed true true", 7), groupedOutcomes);

        // Nothing ran without an attempt row, nothing ran twice: the target holds exactly the rows with a succeeded attempt, each attempted once.
        var held = await Db.ColumnAsync(Target, "SELECT id::text FROM gc_rows ORDER BY id");
        var succeeded = await Db.ColumnAsync(Control, """
            SELECT substring(a.sql_text FROM 'VALUES \((\d+)\)') FROM rose.audit_log a JOIN rose.audit_outcome o ON o.audit_id = a.id
            WHERE a.sql_text LIKE 'INSERT INTO gc_rows%' AND o.status = 'succeeded' ORDER BY 1::int
            """);
        Assert.Equal(held, succeeded);
        Assert.DoesNotContain(held, id => int.Parse(id, System.Globalization.CultureInfo.InvariantCulture) >= 2);
        Assert.Equal(0L, await Db.ScalarAsync<long>(Control, """
            SELECT count(*) FROM (SELECT sql_text FROM rose.audit_log WHERE sql_text LIKE 'INSERT INTO gc_rows%' GROUP BY sql_text HAVING count(*) > 1) twice
            """));
        // The two that only queued in the killed writer left no row: their target transactions were never used.
        Assert.Equal(0L, await Db.ScalarAsync<long>(Control, "SELECT count(*) FROM rose.audit_log WHERE sql_text IN ('INSERT INTO gc_rows VALUES (9)', 'INSERT INTO gc_rows VALUES (10)')"));

        using var reader = Client(restarted.BaseUrl);
        var verify = await reader.GetFromJsonAsync<JsonElement>("/api/v1/audit/verify");
        Assert.True(verify.GetProperty("valid").GetBoolean(), verify.ToString());
    }

    private static Task<HttpResponseMessage> Insert(HttpClient api, int n) =>
        Execute(api, $"INSERT INTO gc_rows VALUES ({n})");

    private static async Task<HeldLock> LockAsync(string connection)
    {
        var conn = new NpgsqlConnection(connection);
        await conn.OpenAsync();
        await Exec(conn, $"SELECT pg_advisory_lock({ChainLockKey})");
        return new HeldLock(conn);
    }

    private static async Task Exec(NpgsqlConnection conn, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>A session-level hold on the chain lock; closing the connection releases it if the test did not.</summary>
    private sealed class HeldLock(NpgsqlConnection connection) : IAsyncDisposable
    {
        public NpgsqlConnection Connection { get; } = connection;

        public ValueTask DisposeAsync() => Connection.DisposeAsync();
    }
}
