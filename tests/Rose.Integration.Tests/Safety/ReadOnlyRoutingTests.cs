using Rose.Core.Configuration;
using Rose.Core.Execution;
using Rose.Core.Sql;

namespace Rose.Integration.Tests.Safety;

/// <summary>
/// All-read batches run on the read-only connection, and that connection is reset and reused like the other. One
/// harness for the class (<see cref="SharedHarness"/>): each test counts only the rows it is about.
/// </summary>
[Collection("postgres")]
public sealed class ReadOnlyRoutingTests(PostgresServerFixture pg, SharedHarness shared) : PipelineTest(pg, shared), IClassFixture<SharedHarness>
{
    // The read-only connection is told apart by its session default, so a test can see which one ran a batch.
    protected override void ConfigureTarget(TargetOptions t) => t.ReadOnlyConnectionString = t.ConnectionString + ";Options=-c default_transaction_read_only=on";

    protected override async Task SeedAsync()
    {
        await Harness.TargetExecAsync("CREATE TABLE t1 (id int PRIMARY KEY)");
        await Harness.TargetExecAsync("INSERT INTO t1 VALUES (1)");
    }

    [Fact]
    public async Task PlainReads_RunOnTheReadOnlyConnection_WhichComesBackResetAndReused()
    {
        const string sql = "SELECT pg_backend_pid(), current_setting('default_transaction_read_only'), current_setting('transaction_read_only'), (SELECT count(*) FROM t1 WHERE id = 1)";
        var first = await Harness.RunAsync(sql);
        var second = await Harness.RunAsync(sql);

        Assert.Equal(OutcomeStatus.Succeeded, first.Status);
        Assert.Equal(OutcomeStatus.Succeeded, second.Status);
        Assert.True(first.Result!.ReadOnly);
        var (a, b) = (first.Result.Statements[0].Rows[0], second.Result!.Statements[0].Rows[0]);
        Assert.Equal(new string?[] { "on", "on", "1" }, a[1..].AsEnumerable());
        Assert.Equal(a[0], b[0]); // DISCARD ALL succeeded there: a failed reset would have cleared the pool
    }

    [Fact]
    public async Task Writes_RunOnTheReadWriteConnection()
    {
        var outcome = await Harness.RunAsync("INSERT INTO t1 VALUES (2)");

        Assert.Equal(OutcomeStatus.Succeeded, outcome.Status);
        Assert.False(outcome.Result!.ReadOnly);
        Assert.Equal(1L, await Harness.TargetScalarAsync<long>("SELECT count(*) FROM t1 WHERE id = 2"));
    }

    [Theory]
    [InlineData("LOCK ROWS")]
    [InlineData("SELECT FOR UPDATE")]
    [InlineData("FUNCTION pg_advisory_lock")]
    public void RowLocksAndSideEffects_AreNeverPlainReads_EvenWhenFlaggedAsReads(string operation)
    {
        var statement = new SqlStatement(0, 0, 8, "SELECT 1", "SelectStmt", "SELECT", ["SELECT", operation], [], Writes: false, Destructive: false,
            NoTransaction: false, TransactionControl: false, StatementKind.Read, UnfilteredDml: false, Error: null);

        Assert.False(ReadRouting.IsPlainRead(statement));
        Assert.False(ReadRouting.AllPlainReads(new SqlBatch("SELECT 1", [statement])));
        Assert.True(ReadRouting.IsPlainRead(statement with { Operations = ["SELECT"] }));
    }
}
