using Rose.Core.Execution;
using Rose.Core.Identity;
using Rose.Core.Migrations;
using Rose.Core.Policy;

namespace Rose.Integration.Tests.Safety;

/// <summary>
/// Session state one call leaves on a pooled target connection (advisory locks, settings, temporary
/// tables, prepared statements, LISTEN) is gone before that connection serves anyone else, and is not
/// held while the connection sits idle in the pool.
/// </summary>
[Collection("postgres")]
public sealed class PooledConnectionResetTests(PostgresServerFixture pg) : PipelineTest(pg)
{
    private const long LockKey = 4242;
    protected override async Task SeedAsync()
    {
        await Harness.TargetExecAsync("CREATE TABLE t1 (id int PRIMARY KEY)");
    }

    private static SqlPolicy Leaky() => PipelineHarness.SeedPolicy("FUNCTION pg_advisory_lock", "FUNCTION set_config", "SET", "LISTEN", "PREPARE");

    private Task<long> AdvisoryLocksHeldAsync() => Harness.TargetScalarAsync<long>(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())");

    [Fact]
    public async Task SessionStateOfOneCall_IsGoneForTheNextCallOnTheSameConnection()
    {
        var first = await Harness.RunAsync(
            "SELECT pg_backend_pid(), pg_advisory_lock(4242), set_config('rose.leak', 'left over', false); SET application_name = 'leaked'; "
            + "CREATE TEMP TABLE leak_tmp (x int); PREPARE leak_stmt AS SELECT 1; LISTEN leak_channel", Leaky());
        Assert.Equal(OutcomeStatus.Succeeded, first.Status);
        var firstPid = first.Result!.Statements[0].Rows[0][0];

        // Idle in the pool now: the lock must not be held (a lazily queued reset would still hold it).
        Assert.Equal(0L, await AdvisoryLocksHeldAsync());

        // The transaction-local set_config makes this call a write like the first (a plain read would go to
        // the preset read pool, another backend), so it is served by the same pool and connection.
        var next = await Harness.RunAsync(
            "SELECT pg_backend_pid(), current_setting('rose.leak', true), current_setting('application_name'), to_regclass('pg_temp.leak_tmp')::text, "
            + "(SELECT count(*) FROM pg_prepared_statements), (SELECT count(*) FROM pg_listening_channels()), "
            + "(SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()), set_config('rose.probe', 'x', true)", Leaky());
        Assert.Equal(OutcomeStatus.Succeeded, next.Status);
        var row = next.Result!.Statements[0].Rows[0];
        Assert.Equal(firstPid, row[0]); // the same pooled backend, so the test proves the reset
        Assert.True(string.IsNullOrEmpty(row[1]), $"rose.leak survived: '{row[1]}'");
        Assert.NotEqual("leaked", row[2]);
        Assert.Null(row[3]);
        Assert.Equal("0", row[4]);
        Assert.Equal("0", row[5]);
        Assert.Equal("0", row[6]);
    }

    [Fact]
    public async Task MigrationRun_LeavesNoAdvisoryLockOnTheIdleConnection_EvenWhenItsSqlTakesOne()
    {
        var runner = Harness.Services.GetRequiredService<MigrationRunner>();
        var set = MigrationSet.From([("V1__lock.sql", "CREATE TABLE m1 (id int); SELECT pg_advisory_lock(4242);")]);
        var result = await runner.ApplyAsync(new MigrationRunRequest("t", set, PipelineHarness.Alice, Leaky(), "test"), null, CancellationToken.None);

        Assert.Equal(MigrationRunStatus.Succeeded, result.Status);
        Assert.Equal(0L, await AdvisoryLocksHeldAsync());
    }

    [Fact]
    public async Task FailedMigrationRun_LeavesNoAdvisoryLockOnTheIdleConnection()
    {
        var runner = Harness.Services.GetRequiredService<MigrationRunner>();
        var set = MigrationSet.From([("V1__fails.sql", "SELECT pg_advisory_lock(4242); CREATE TABLE t1 (id int);")]);
        var result = await runner.ApplyAsync(new MigrationRunRequest("t", set, PipelineHarness.Alice, Leaky(), "test"), null, CancellationToken.None);

        Assert.Equal(MigrationRunStatus.Failed, result.Status);
        Assert.Equal(0L, await AdvisoryLocksHeldAsync());
        await using var conn = new NpgsqlConnection(Harness.TargetConnection);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"SELECT pg_try_advisory_lock({SchemaHistory.AdvisoryLockKey})", conn);
        Assert.Equal(true, await cmd.ExecuteScalarAsync()); // the migration lock is free for the next runner
    }
}
