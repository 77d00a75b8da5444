using Rose.Core.Configuration;
using Rose.Core.Execution;
using Rose.Core.Sql;
using Rose.Core.Targets;

namespace Rose.Integration.Tests.Execution;

/// <summary>
/// The executor's own guards, independent of the classifier and the policy. Every test leaves `t1` as seeded (a
/// refused or timed-out statement changes nothing), so the class shares one harness (<see cref="SharedHarness"/>).
/// </summary>
[Collection("postgres")]
public sealed class ExecutorSafetyTests(PostgresServerFixture pg, SharedHarness shared) : PipelineTest(pg, shared), IClassFixture<SharedHarness>
{
    protected override void ConfigureTarget(TargetOptions t)
    {
        t.StatementTimeoutSeconds = 2;
        t.LockTimeoutSeconds = 1;
    }

    protected override async Task SeedAsync()
    {
        await Harness.TargetExecAsync("CREATE TABLE t1 (id int PRIMARY KEY, v text)");
        await Harness.TargetExecAsync("INSERT INTO t1 SELECT g, 'v' FROM generate_series(1, 10) g");
    }

    private RegisteredTarget Target
    {
        get
        {
            Assert.True(Harness.Services.GetRequiredService<TargetRegistry>().TryGet("t", out var target));
            return target;
        }
    }

    private static SqlBatch Mislabelled(string sql) => new(sql,
    [
        new SqlStatement(0, 0, sql.Length, sql, "SelectStmt", "SELECT", ["SELECT"], [], Writes: false, Destructive: false,
            NoTransaction: false, TransactionControl: false, StatementKind.Read, UnfilteredDml: false, Error: null),
    ]);

    [Fact]
    public async Task ExecuteAsync_WriteMislabelledAsRead_IsNotSent()
    {
        var executor = Harness.Services.GetRequiredService<SqlExecutor>();
        var result = await executor.ExecuteAsync(Target, Mislabelled("DELETE FROM t1"), new ExecutionLimits(100, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1)), null, CancellationToken.None);

        Assert.Equal(ExecutionStatus.Failed, result.Status);
        Assert.Equal("42601", result.Error!.SqlState);
        Assert.Contains("not sent", result.Error.Message, StringComparison.Ordinal);
        Assert.Contains("DELETE", result.Error.Message, StringComparison.Ordinal);
        Assert.Empty(result.Statements);
        Assert.Equal(10L, await Harness.TargetScalarAsync<long>("SELECT count(*) FROM t1"));
    }

    [Fact]
    public async Task ExecuteAsync_WriteHiddenInAFunctionTheClassifierCallsARead_IsStoppedByReadOnlyTransaction()
    {
        // The parser cannot see into a user function: the READ ONLY transaction is the layer that stops it.
        await Harness.TargetExecAsync("CREATE FUNCTION empty_t1() RETURNS bigint LANGUAGE sql AS 'WITH d AS (DELETE FROM t1 RETURNING 1) SELECT count(*) FROM d'");

        var outcome = await Harness.RunAsync("SELECT empty_t1()");

        Assert.Equal(OutcomeStatus.Failed, outcome.Status);
        Assert.True(outcome.Result!.ReadOnly);
        Assert.Equal("25006", outcome.Result.Error!.SqlState); // read_only_sql_transaction
        Assert.Equal(10L, await Harness.TargetScalarAsync<long>("SELECT count(*) FROM t1"));
    }

    [Fact]
    public async Task ExecuteAsync_SmuggledSecondStatement_IsNotSent()
    {
        var executor = Harness.Services.GetRequiredService<SqlExecutor>();
        var result = await executor.ExecuteAsync(Target, Mislabelled("SELECT 1; DELETE FROM t1"), new ExecutionLimits(100, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1)), null, CancellationToken.None);

        Assert.Equal(ExecutionStatus.Failed, result.Status);
        Assert.Equal("42601", result.Error!.SqlState);
        Assert.Contains("2 statements", result.Error.Message, StringComparison.Ordinal);
        Assert.Equal(10L, await Harness.TargetScalarAsync<long>("SELECT count(*) FROM t1"));
    }

    [Fact]
    public async Task ExecuteAsync_StatementTextNotInTheBatchText_IsNotSent()
    {
        // A statement whose text was re-derived (here: differs from the batch text at its offset) never runs.
        var batch = new SqlBatch("SELECT 1 -- x", [Mislabelled("SELECT 2").Statements[0]]);
        var result = await Harness.Services.GetRequiredService<SqlExecutor>().ExecuteAsync(Target, batch,
            new ExecutionLimits(100, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1)), null, CancellationToken.None);

        Assert.Equal(ExecutionStatus.Failed, result.Status);
        Assert.Contains("not the batch text at its position", result.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExecuteAsync_LongQuery_HitsStatementTimeout()
    {
        var outcome = await Harness.RunAsync("SELECT pg_sleep(5)", PipelineHarness.SeedPolicy("FUNCTION pg_sleep"));

        Assert.Equal(OutcomeStatus.Failed, outcome.Status);
        Assert.Equal("57014", outcome.Result!.Error!.SqlState);
        Assert.Contains("timeout", outcome.Result.Error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task ExecuteAsync_LockedRow_HitsLockTimeout()
    {
        await using var blocker = new NpgsqlConnection(Harness.TargetConnection);
        await blocker.OpenAsync();
        await using var tx = await blocker.BeginTransactionAsync();
        await using (var cmd = new NpgsqlCommand("LOCK TABLE t1 IN ACCESS EXCLUSIVE MODE", blocker, tx))
        {
            await cmd.ExecuteNonQueryAsync();
        }

        var outcome = await Harness.RunAsync("UPDATE t1 SET v = 'x' WHERE id = 1");

        Assert.Equal(OutcomeStatus.Failed, outcome.Status);
        Assert.Equal("55P03", outcome.Result!.Error!.SqlState); // lock_not_available
    }
}
