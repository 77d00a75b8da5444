namespace Rose.Console.Tests.Faults;

/// <summary>
/// kill -9 of the real console in the middle of the longer runs (a migration apply, a validation run, a
/// reversibility check), then a restart on the same control database: every attempt gets its outcome
/// by itself, nothing half-applied is reported as applied, and the chain verifies. A migration's attempt
/// carries its target transaction id, so a kill between the target's COMMIT and the outcome write is
/// recovered as succeeded (and one before it as failed) instead of "unknown".
/// </summary>
[Collection(PostgresSecondCollection.Name)]
public sealed class KillDuringRunsTests(PostgresServerFixture pg) : FaultTest(pg, "kill", "CREATE TABLE kill_rows (id text PRIMARY KEY)")
{
    private const string CheckerKey = "rose_kill_checker_key_0123456789ab";

    private const string Migration = "CREATE TABLE kill_migrated (id int);\nINSERT INTO kill_rows VALUES ('migrated');";

    private Task<ConsoleProcess> StartAsync()
    {
        var settings = Settings();
        settings["Rose__Targets__demo__LockTimeoutSeconds"] = "25";
        // May run a check whose migration sleeps on the scratch database, long enough to be killed in.
        settings["Rose__Agents__checker__ApiKey"] = CheckerKey;
        settings["Rose__Agents__checker__Policy__allowed_databases__0"] = "demo";
        settings["Rose__Agents__checker__Policy__allowed_operations__0"] = "SELECT";
        settings["Rose__Agents__checker__Policy__allowed_operations__1"] = "CREATE TABLE";
        settings["Rose__Agents__checker__Policy__allowed_operations__2"] = "DROP TABLE";
        settings["Rose__Agents__checker__Policy__allowed_operations__3"] = "FUNCTION pg_sleep";
        settings["Rose__Agents__checker__Policy__environment"] = "dev";
        settings["Rose__Migrations__Snapshot"] = "false";
        settings["Rose__Audit__RecoveryGraceSeconds"] = "1";
        settings["Rose__Validation__AbandonAfterSeconds"] = "10";
        return ConsoleProcess.StartAsync(settings);
    }

    [Fact]
    public async Task KillDuringAMigrationApply_BeforeItsCommit_RecoversFailed_AndNothingOfItIsApplied()
    {
        var console = await StartAsync();
        using (var api = Client(console.BaseUrl, Key))
        {
            await using var hold = await Db.HoldTableAsync(Target, "kill_rows");
            var apply = Migrate(api);
            // The migration's INSERT waits for the lock the test holds: its CREATE TABLE ran in the same transaction.
            await Db.WaitUntilAsync(Target, "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'INSERT INTO kill_rows%' AND wait_event_type = 'Lock'");
            await console.KillAsync();
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => apply);
        }

        // The orphaned backend runs its INSERT once the lock is gone, then finds no client and no COMMIT.
        await Db.WaitUntilAsync(Target, "SELECT count(*) = 0 FROM pg_stat_activity WHERE query LIKE 'INSERT INTO kill_rows%' AND state <> 'idle'");
        await console.DisposeAsync();

        await using var restarted = await StartAsync();
        await Db.WaitUntilAsync(Control, NoOpenAttempt);
        Assert.Equal("failed true true", await MigrationOutcomeAsync());
        Assert.True(await Db.ScalarAsync<bool>(Target, "SELECT to_regclass('kill_migrated') IS NULL"), "the killed migration's table exists");
        Assert.Equal(0L, await Db.ScalarAsync<long>(Target, "SELECT count(*) FROM kill_rows"));
        Assert.Equal(0L, await Db.ScalarAsync<long>(Target, "SELECT count(*) FROM rose_schema_history WHERE success"));
        await AssertChainVerifiesAsync(restarted);
    }

    [Fact]
    public async Task KillBetweenAMigrationsCommitAndItsOutcome_RecoversSucceeded_FromTheTargetTransaction()
    {
        var console = await StartAsync();
        using (var api = Client(console.BaseUrl, Key))
        {
            // The outcome table is held: the migration commits on the target, then waits to record its outcome.
            await using var blocker = new NpgsqlConnection(Control);
            await blocker.OpenAsync();
            await using var tx = await blocker.BeginTransactionAsync();
            await using (var hold = new NpgsqlCommand("LOCK TABLE rose.audit_outcome IN EXCLUSIVE MODE", blocker, tx))
            {
                await hold.ExecuteNonQueryAsync();
            }

            var apply = Migrate(api);
            await Db.WaitUntilAsync(Target, "SELECT to_regclass('rose_schema_history') IS NOT NULL");
            await Db.WaitUntilAsync(Target, "SELECT count(*) FROM rose_schema_history WHERE success");
            // The history row is committed a moment before the outcome INSERT reaches the server: kill only once that
            // INSERT waits on the lock (killed earlier, there was nothing to end below: seen once in CI).
            await Db.WaitUntilAsync(Control,
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'");
            await console.KillAsync();
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => apply);
            // The killed console's outcome INSERT, queued behind the lock, would still run: end it as the crash would have.
            await using (var end = new NpgsqlCommand(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'",
                blocker, tx))
            {
                Assert.True((long)(await end.ExecuteScalarAsync())! > 0, "no outcome write was waiting on the lock");
            }

            await tx.RollbackAsync();
        }

        await console.DisposeAsync();
        await using var restarted = await StartAsync();
        await Db.WaitUntilAsync(Control, NoOpenAttempt);
        Assert.Equal("succeeded true true", await MigrationOutcomeAsync());
        Assert.Equal(1L, await Db.ScalarAsync<long>(Target, "SELECT count(*) FROM kill_rows WHERE id = 'migrated'"));
        await AssertChainVerifiesAsync(restarted);
    }

    [Fact]
    public async Task KillDuringAValidationRun_TheRunIsAbandoned_AndItsReadsAreResolved()
    {
        var console = await StartAsync();
        long runId;
        using (var api = Client(console.BaseUrl, Key))
        {
            // ACCESS EXCLUSIVE: the run's reads of the table (its size, its row count) wait for the test.
            await using var hold = await Db.HoldTableAsync(Target, "kill_rows", "ACCESS EXCLUSIVE");
            var run = api.PostAsJsonAsync("/api/v1/validation/run", new { database = "demo" });
            await Db.WaitUntilAsync(Target, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'");
            runId = await Db.ScalarAsync<long>(Control, "SELECT max(id) FROM rose.validation_runs WHERE status = 'running'");
            await console.KillAsync();
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => run);
        }

        await console.DisposeAsync();
        await using var restarted = await StartAsync();
        await Db.WaitUntilAsync(Control, NoOpenAttempt);
        var open = await Db.ColumnAsync(Control, """
            SELECT o.status || ' ' || o.recovered FROM rose.audit_log a JOIN rose.audit_outcome o ON o.audit_id = a.id
            WHERE a.channel = 'validation' AND o.recovered
            """);
        // The read that was waiting ran without a transaction id (read-only): whether it finished is unknown, which is all that can be said.
        Assert.Equal(new[] { "unknown true" }, open);

        // The run itself is closed by the sweep once its heartbeat is older than AbandonAfterSeconds, never left running.
        using var reader = Client(restarted.BaseUrl, Key);
        var status = string.Empty;
        for (var i = 0; i < 60 && status != "abandoned"; i++)
        {
            await Task.Delay(500);
            var body = await reader.GetFromJsonAsync<JsonElement>($"/api/v1/validation/runs/{runId}");
            status = body.GetProperty("status").GetString()!;
        }

        Assert.Equal("abandoned", status);
        await AssertChainVerifiesAsync(restarted);
    }

    [Fact]
    public async Task KillDuringAReversibilityCheck_RecoversFailed_SayingTheTargetWasNotChanged()
    {
        var console = await StartAsync();
        using (var api = Client(console.BaseUrl, CheckerKey))
        {
            var check = api.PostAsJsonAsync("/api/v1/migrations/demo/check", new
            {
                from_empty = true,
                migrations = new object[]
                {
                    new { name = "V1__slow.sql", sql = "CREATE TABLE kill_checked (id int);\nSELECT pg_sleep(20);" },
                    new { name = "U1__slow.sql", sql = "DROP TABLE kill_checked;" },
                },
            });
            await Db.WaitUntilAsync(Target, "SELECT count(*) FROM pg_stat_activity WHERE datname LIKE 'rose_scratch_%' AND query LIKE '%pg_sleep%' AND state = 'active'");
            await console.KillAsync();
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => check);
        }

        await console.DisposeAsync();
        await using var restarted = await StartAsync();
        await Db.WaitUntilAsync(Control, NoOpenAttempt);
        var outcome = await Db.ScalarAsync<string>(Control, """
            SELECT o.status || ' ' || o.recovered || ' ' || o.error_message FROM rose.audit_log a JOIN rose.audit_outcome o ON o.audit_id = a.id
            WHERE a.channel = 'migration'
            """);
        Assert.StartsWith("failed true ", outcome, StringComparison.Ordinal);
        Assert.Contains("the target was not changed", outcome, StringComparison.Ordinal);
        Assert.True(await Db.ScalarAsync<bool>(Target, "SELECT to_regclass('kill_checked') IS NULL"), "the check changed the target");
        await AssertChainVerifiesAsync(restarted);
    }

    /// <summary>Status, recovered flag and whether the attempt carried a target transaction id, of the one migration attempt.</summary>
    private Task<string> MigrationOutcomeAsync() => Db.ScalarAsync<string>(Control, """
        SELECT o.status || ' ' || o.recovered || ' ' || (a.target_xid IS NOT NULL) FROM rose.audit_log a JOIN rose.audit_outcome o ON o.audit_id = a.id
        WHERE a.channel = 'migration' AND a.sql_text LIKE '%kill_migrated%'
        """);

    private static async Task AssertChainVerifiesAsync(ConsoleProcess console)
    {
        using var api = Client(console.BaseUrl, Key);
        var report = await api.GetFromJsonAsync<JsonElement>("/api/v1/audit/verify");
        Assert.True(report.GetProperty("valid").GetBoolean(), report.ToString());
    }

    private static Task<HttpResponseMessage> Migrate(HttpClient api) =>
        api.PostAsJsonAsync("/api/v1/sql/migrate", new
        {
            database = "demo",
            reason = "kill test",
            migrations = new[] { new { name = "V1__kill.sql", sql = Migration } },
        });
}
