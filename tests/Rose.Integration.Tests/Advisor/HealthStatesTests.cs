using Rose.Core.Advisor;

namespace Rose.Integration.Tests.Advisor;

/// <summary>
/// Each health check that can be provoked on one server is provoked for real (an open transaction left
/// idle, a lock wait, a long statement, a failed concurrent index build, a half-empty index) and must
/// be reported with its evidence and remediation. The time thresholds are lowered to one second
/// (Rose:Advisor:*Seconds) so the states are reached in seconds, not minutes.
/// </summary>
[Collection("postgres")]
public sealed class HealthStatesTests(PostgresServerFixture pg) : PipelineTest(pg)
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Rose:Advisor:LongRunningSeconds"] = "1",
        ["Rose:Advisor:IdleInTransactionSeconds"] = "1",
        ["Rose:Advisor:LockWaitSeconds"] = "1",
    };

    /// <summary>
    /// Each test changes its target (a lock, an invalid index, deleted rows), so each has its own: a copy of one
    /// seeded once per run, instead of the 200,000 rows and their index built again for every test.
    /// </summary>
    protected override Task<string> CreateTargetAsync() =>
        Pg.CreateDatabaseFromTemplateAsync("target", "health_accounts", async (connection, ct) =>
        {
            await using var conn = new NpgsqlConnection(connection);
            await conn.OpenAsync(ct);
            await Rose.Core.Control.SqlScript.ExecuteAsync(conn, null, """
                CREATE TABLE accounts (id int PRIMARY KEY, code int NOT NULL, note text);
                INSERT INTO accounts SELECT g, g % 1000, 'n' || g FROM generate_series(1, 200000) g;
                CREATE INDEX accounts_note ON accounts (note);
                """, ct, commandTimeoutSeconds: 300);
        });

    private Task<HealthReport> CheckAsync() =>
        Harness.Services.GetRequiredService<HealthCheckService>().CheckAsync(PipelineHarness.Alice, "t", CancellationToken.None);

    [Fact]
    public async Task IdleInTransaction_LockWait_AndLongRunning_AreReportedWithTheirPids()
    {
        await using var holder = new NpgsqlConnection(Harness.TargetConnection);
        await holder.OpenAsync();
        await using var holding = await holder.BeginTransactionAsync();
        await using (var lockIt = new NpgsqlCommand("LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE", holder, holding))
        {
            await lockIt.ExecuteNonQueryAsync();
        }

        var holderPid = holder.ProcessID;
        await using var waiter = new NpgsqlConnection(Harness.TargetConnection);
        await waiter.OpenAsync();
        var waiterPid = waiter.ProcessID;
        await using var wait = new NpgsqlCommand("SELECT count(*) FROM accounts", waiter);
        var waiting = wait.ExecuteScalarAsync();
        await Task.Delay(TimeSpan.FromSeconds(2.5));

        var report = await CheckAsync();

        var idle = Assert.Single(report.Checks, c => c.Name == "idle_in_transaction");
        Assert.Equal(HealthStatus.Warning, idle.Status);
        Assert.Contains($"pid {holderPid} ", idle.Detail, StringComparison.Ordinal);
        Assert.Contains($"pg_terminate_backend({holderPid})", idle.RemediationSql, StringComparison.Ordinal);
        var locks = Assert.Single(report.Checks, c => c.Name == "lock_waits");
        Assert.Equal(HealthStatus.Warning, locks.Status);
        Assert.Contains($"pid {waiterPid} waits", locks.Detail, StringComparison.Ordinal);
        Assert.Contains($"pg_cancel_backend({holderPid})", locks.RemediationSql, StringComparison.Ordinal);
        // The waiting SELECT is also a statement active for more than the (lowered) threshold.
        var longRunning = Assert.Single(report.Checks, c => c.Name == "long_running_queries");
        Assert.Equal(HealthStatus.Warning, longRunning.Status);
        Assert.Contains($"pg_cancel_backend({waiterPid})", longRunning.RemediationSql, StringComparison.Ordinal);
        Assert.Contains("more than 1 s", idle.Threshold, StringComparison.Ordinal);

        await holding.RollbackAsync();
        Assert.Equal(200000L, (long)(await waiting)!);
    }

    [Fact]
    public async Task FailedConcurrentBuild_LeavesAnInvalidIndex_ReportedCritical()
    {
        // A unique index over duplicate codes fails part way and, built CONCURRENTLY, stays behind invalid.
        await Assert.ThrowsAsync<PostgresException>(() => Harness.TargetExecAsync("CREATE UNIQUE INDEX CONCURRENTLY accounts_code_unique ON accounts (code)"));

        var report = await CheckAsync();

        var invalid = Assert.Single(report.Checks, c => c.Name == "invalid_indexes");
        Assert.Equal(HealthStatus.Critical, invalid.Status);
        Assert.Equal("REINDEX INDEX CONCURRENTLY accounts_code_unique;", invalid.RemediationSql);
    }

    [Fact]
    public async Task IndexEmptiedByDeletes_IsReportedBloatedAndUnused()
    {
        // Deleting 90% of the rows and vacuuming keeps the index's pages but empties them.
        await Harness.TargetExecAsync("DELETE FROM accounts WHERE id % 10 <> 0");
        await Harness.TargetExecAsync("VACUUM ANALYZE accounts");

        var report = await CheckAsync();

        var bloated = Assert.Single(report.Checks, c => c.Name == "bloated_indexes");
        Assert.NotEqual(HealthStatus.Ok, bloated.Status);
        Assert.Contains(bloated.Evidence, e => e.StartsWith("accounts_note on accounts", StringComparison.Ordinal));
        Assert.Contains("REINDEX INDEX CONCURRENTLY accounts_note;", bloated.RemediationSql, StringComparison.Ordinal);
        // Nothing ever read through it either.
        var unused = Assert.Single(report.Checks, c => c.Name == "unused_indexes");
        Assert.Contains("DROP INDEX CONCURRENTLY accounts_note;", unused.RemediationSql, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QuietDatabase_SessionChecksAreOk()
    {
        var report = await CheckAsync();

        foreach (var name in new[] { "idle_in_transaction", "lock_waits", "invalid_indexes", "bloated_indexes", "replication_lag" })
        {
            var check = Assert.Single(report.Checks, c => c.Name == name);
            Assert.Equal(HealthStatus.Ok, check.Status);
            Assert.Null(check.RemediationSql);
        }
    }
}
