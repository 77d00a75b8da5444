namespace Rose.Console.Tests.Faults;

/// <summary>
/// SIGKILL of the real console process under concurrent writers, then a restart on the same control
/// database: every row the writers inserted has a succeeded audit row (written by recovery where the
/// kill came between the target's COMMIT and the outcome write), nothing is left without an outcome,
/// and the chain verifies.
/// </summary>
[Collection(PostgresSecondCollection.Name)]
public sealed class CrashRecoveryTests(PostgresServerFixture pg)
    : FaultTest(pg, "crash", "CREATE TABLE crash_rows (writer int NOT NULL, n int NOT NULL, PRIMARY KEY (writer, n))")
{
    private const int Writers = 8;

    [Fact]
    public async Task SigkillUnderEightWriters_ThenRestart_EveryInsertedRowHasASucceededAuditRow_AndTheChainVerifies()
    {
        var environment = Settings();

        await using var first = await ConsoleProcess.StartAsync(environment);
        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(1, Writers).Select(w => WriteUntilStoppedAsync(first.BaseUrl, w, stop.Token)).ToList();
        await WaitForRowsAsync(Target, 40);

        // Hold the outcome table so the next writes commit on the target but cannot record their outcome:
        // the kill then lands exactly in the window recovery exists for. A success's outcome is queued after
        // the answer (AuditOutcomeWriter), so the writers go on; they are stopped once some are caught.
        await using var blocker = new NpgsqlConnection(Control);
        await blocker.OpenAsync();
        await using var tx = await blocker.BeginTransactionAsync();
        await using (var lockCmd = new NpgsqlCommand("LOCK TABLE rose.audit_outcome IN EXCLUSIVE MODE", blocker, tx))
        {
            await lockCmd.ExecuteNonQueryAsync();
        }

        for (var i = 0; i < 300 && await CountAsync(Control, OpenAttempts) < Writers; i++)
        {
            await Task.Delay(100);
        }

        Assert.True(await CountAsync(Control, OpenAttempts) >= Writers);
        await stop.CancelAsync();
        await Task.WhenAll(writers);
        var settled = -1L;
        for (var rows = await CountAsync(Target, "SELECT count(*) FROM crash_rows"); rows != settled; rows = await CountAsync(Target, "SELECT count(*) FROM crash_rows"))
        {
            settled = rows;
            await Task.Delay(500);
        }

        await first.KillAsync();
        // A backend notices its client is gone only when it next talks to it: the killed console's
        // outcome INSERTs, queued behind the lock, would still run. End them as the crash would have.
        await using (var end = new NpgsqlCommand(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'",
            blocker, tx))
        {
            Assert.True((long)(await end.ExecuteScalarAsync())! > 0, "no outcome write was waiting on the lock");
        }

        await tx.RollbackAsync();

        await using var second = await ConsoleProcess.StartAsync(environment);
        var open = -1L;
        for (var i = 0; i < 120 && open != 0; i++)
        {
            await Task.Delay(500);
            open = await CountAsync(Control, OpenAttempts);
        }

        Assert.True(open == 0, $"{open} attempts still have no outcome after the restart:\n{second.Output}");
        var inserted = await ReadPairsAsync(Target, "SELECT writer, n FROM crash_rows");
        var succeeded = await ReadPairsAsync(Control, """
            SELECT substring(a.sql_text FROM 'VALUES \((\d+),')::int, substring(a.sql_text FROM ', (\d+)\)$')::int
            FROM rose.audit_log a JOIN rose.audit_outcome o ON o.audit_id = a.id
            WHERE a.sql_text LIKE 'INSERT INTO crash_rows%' AND o.status = 'succeeded'
            """);
        Assert.Empty(inserted.Except(succeeded));
        // And the other way: no audit row claims a write the target does not hold.
        Assert.Empty(succeeded.Except(inserted));
        var recovered = await CountAsync(Control, "SELECT count(*) FROM rose.audit_outcome WHERE recovered AND status = 'succeeded'");
        Assert.True(recovered > 0, "the writes caught between COMMIT and outcome were not recovered");

        using var api = Client(second.BaseUrl, timeoutSeconds: 30);
        var verify = await api.GetFromJsonAsync<JsonElement>("/api/v1/audit/verify");
        Assert.True(verify.GetProperty("valid").GetBoolean(), verify.ToString());
    }

    /// <summary>One writer: numbered inserts until stopped or the console is gone; a refused or lost request is simply not counted.</summary>
    private static async Task WriteUntilStoppedAsync(Uri baseUrl, int writer, CancellationToken stop)
    {
        using var http = Client(baseUrl, timeoutSeconds: 30);
        for (var n = 1; !stop.IsCancellationRequested; n++)
        {
            try
            {
                // Stopping ends the loop after the request under way: a request cancelled mid-run would leave the
                // console's own cancel path in the picture, which is not what this test is about.
                using var response = await http.PostAsJsonAsync("/api/v1/sql/execute",
                    new { database = "demo", sql = $"INSERT INTO crash_rows (writer, n) VALUES ({writer}, {n})" }, CancellationToken.None);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    await Task.Delay(50, stop);
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
            {
                // The console was killed under this request; its row, if any, is what recovery is for.
                if (!stop.IsCancellationRequested)
                {
                    await Task.Delay(100, CancellationToken.None);
                }
            }
        }
    }

    private static async Task WaitForRowsAsync(string target, long atLeast)
    {
        for (var i = 0; i < 300; i++)
        {
            if (await CountAsync(target, "SELECT count(*) FROM crash_rows") >= atLeast)
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"the writers did not reach {atLeast} rows");
    }

    private static Task<long> CountAsync(string connection, string sql) => Db.ScalarAsync<long>(connection, sql);

    private static async Task<HashSet<(int, int)>> ReadPairsAsync(string connection, string sql)
    {
        await using var conn = new NpgsqlConnection(connection);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        var pairs = new HashSet<(int, int)>();
        while (await reader.ReadAsync())
        {
            pairs.Add((reader.GetInt32(0), reader.GetInt32(1)));
        }

        return pairs;
    }
}
