using Rose.Core.Execution;

namespace Rose.Integration.Tests.Execution;

/// <summary>
/// The executor sends COMMIT and the pool reset (DISCARD ALL) in one round trip after the last
/// statement. The reset must still be the last thing the backend ran, session state must not carry
/// over, and a COMMIT that fails must fail the run without committing. One harness for the class
/// (<see cref="SharedHarness"/>): the two tests that write use child rows of their own (ids 1 and 2).
/// </summary>
[Collection("postgres")]
public sealed class PipelinedCommitTests(PostgresServerFixture pg, SharedHarness shared) : PipelineTest(pg, shared), IClassFixture<SharedHarness>
{
    protected override async Task SeedAsync()
    {
        await Harness.TargetExecAsync("CREATE TABLE parent (id int PRIMARY KEY)");
        await Harness.TargetExecAsync("CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)");
    }

    [Fact]
    public async Task Reset_IsTheLastCommandTheBackendRan_AndSessionStateDoesNotCarryOver()
    {
        var first = await Harness.RunAsync("CREATE TEMP TABLE scratch (x int); SELECT pg_backend_pid()");
        Assert.Equal(OutcomeStatus.Succeeded, first.Status);
        Assert.Empty(first.Result!.Statements[1].Notices); // no stray ROLLBACK warning after the pipelined COMMIT
        var pid = int.Parse(first.Result.Statements[1].Rows[0][0]!, System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal("DISCARD ALL", await Harness.TargetScalarAsync<string>($"SELECT query FROM pg_stat_activity WHERE pid = {pid}"));
        Assert.Equal("idle", await Harness.TargetScalarAsync<string>($"SELECT state FROM pg_stat_activity WHERE pid = {pid}"));

        // Not all reads, so the read-write pool again (plain reads have a pool of their own): the same backend.
        var second = await Harness.RunAsync("CREATE TEMP TABLE probe (x int); SELECT pg_backend_pid(), to_regclass('scratch') IS NULL");
        Assert.Equal(OutcomeStatus.Succeeded, second.Status);
        Assert.Equal(new string?[] { pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "t" }, second.Result!.Statements[1].Rows[0].AsEnumerable());
    }

    [Fact]
    public async Task FailedCommit_FailsTheRun_CommitsNothing_AndTheConnectionStaysUsable()
    {
        var outcome = await Harness.RunAsync("INSERT INTO child VALUES (2, 42)");

        Assert.Equal(OutcomeStatus.Failed, outcome.Status);
        Assert.Equal("23503", outcome.Result!.Error!.SqlState);
        Assert.Equal(0L, await Harness.TargetScalarAsync<long>("SELECT count(*) FROM child WHERE id = 2"));
        var next = await Harness.RunAsync("SELECT count(*) FROM child WHERE id = 2");
        Assert.Equal(OutcomeStatus.Succeeded, next.Status);
        Assert.Equal("0", next.Result!.Statements[0].Rows[0][0]);
    }

    [Fact]
    public async Task MultiStatementWrite_CommitsOnce_AfterTheLastStatement()
    {
        var outcome = await Harness.RunAsync("INSERT INTO parent VALUES (1); INSERT INTO child VALUES (1, 1); UPDATE parent SET id = id WHERE id = 1");

        Assert.Equal(OutcomeStatus.Succeeded, outcome.Status);
        Assert.Equal(new long?[] { 1, 1, 1 }, outcome.Result!.Statements.Select(s => s.RowsAffected));
        Assert.Equal(1L, await Harness.TargetScalarAsync<long>("SELECT count(*) FROM child WHERE id = 1"));
    }
}
