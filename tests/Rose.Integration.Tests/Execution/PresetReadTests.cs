using Rose.Core.Configuration;
using Rose.Core.Execution;

namespace Rose.Integration.Tests.Execution;

/// <summary>
/// Plain reads run on the pool whose sessions start READ ONLY under the target's timeouts, so no limits
/// are sent per run (BEGIN rides with the statement, COMMIT with the reset). The guarantees must hold: READ
/// ONLY and the target's timeouts inside the transaction, a failing statement stops the rest, and the
/// connection goes back to the pool reset. The tests read (one creates a table of its own), so the class shares
/// one harness (<see cref="SharedHarness"/>).
/// </summary>
[Collection("postgres")]
public sealed class PresetReadTests(PostgresServerFixture pg, SharedHarness shared) : PipelineTest(pg, shared), IClassFixture<SharedHarness>
{
    protected override void ConfigureTarget(TargetOptions t)
    {
        t.StatementTimeoutSeconds = 2;
        t.LockTimeoutSeconds = 1;
    }

    protected override async Task SeedAsync()
    {
        await Harness.TargetExecAsync("CREATE TABLE items (id int PRIMARY KEY, name text); INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 5) g");
    }

    [Fact]
    public async Task Read_RunsReadOnly_UnderTheTargetTimeouts_AndLeavesTheConnectionReset()
    {
        var outcome = await Harness.RunAsync("SELECT current_setting('transaction_read_only'), current_setting('statement_timeout'), current_setting('lock_timeout'), pg_backend_pid()");

        Assert.Equal(OutcomeStatus.Succeeded, outcome.Status);
        var row = outcome.Result!.Statements[0].Rows[0];
        Assert.Equal(["on", "2s", "1s"], row.Take(3));
        Assert.True(outcome.Result.ReadOnly);
        Assert.Equal(1L, outcome.Result.Statements[0].RowsAffected);
        Assert.Equal("rose-console", await Harness.TargetScalarAsync<string>($"SELECT application_name FROM pg_stat_activity WHERE pid = {row[3]}"));
        Assert.Equal("DISCARD ALL", await Harness.TargetScalarAsync<string>($"SELECT query FROM pg_stat_activity WHERE pid = {row[3]}"));
        Assert.Equal("idle", await Harness.TargetScalarAsync<string>($"SELECT state FROM pg_stat_activity WHERE pid = {row[3]}"));
    }

    [Fact]
    public async Task SlowRead_HitsTheStatementTimeout()
    {
        var outcome = await Harness.RunAsync("SELECT count(*) FROM pg_class a, pg_class b, pg_class c, pg_class d");

        Assert.Equal(OutcomeStatus.Failed, outcome.Status);
        Assert.Equal("57014", outcome.Result!.Error!.SqlState);
        Assert.Equal(0, outcome.Result.Error.StatementIndex);
    }

    [Fact]
    public async Task SeveralReads_EachItsOwnResult_AndAFailingOneStopsTheRest()
    {
        var ok = await Harness.RunAsync("SELECT name FROM items WHERE id = 2; SELECT count(*) FROM items; SELECT id FROM items WHERE id > 3 ORDER BY id");
        Assert.Equal(OutcomeStatus.Succeeded, ok.Status);
        Assert.Equal(3, ok.Result!.Statements.Count);
        Assert.Equal("item 2", ok.Result.Statements[0].Rows[0][0]);
        Assert.Equal("5", ok.Result.Statements[1].Rows[0][0]);
        Assert.Equal(["4", "5"], ok.Result.Statements[2].Rows.Select(r => r[0]));
        Assert.Equal(new long?[] { 1, 1, 2 }, ok.Result.Statements.Select(s => s.RowsAffected));

        var failed = await Harness.RunAsync("SELECT 1; SELECT 1 / (SELECT count(*) - 5 FROM items); SELECT 3");
        Assert.Equal(OutcomeStatus.Failed, failed.Status);
        Assert.Equal("22012", failed.Result!.Error!.SqlState);
        Assert.Equal(1, failed.Result.Error.StatementIndex);
        Assert.Equal(["1"], failed.Result.Statements[0].Rows.Select(r => r[0]));
        Assert.DoesNotContain(failed.Result.Statements, s => s.Index == 2);

        // The failed run's audit row says so, and the next caller gets a clean connection.
        Assert.Equal("failed", await Harness.ControlScalarAsync<string>($"SELECT status FROM rose.audit_entries WHERE id = {failed.AuditId}"));
        var next = await Harness.RunAsync("SELECT count(*) FROM items");
        Assert.Equal("5", next.Result!.Statements[0].Rows[0][0]);
    }

    [Fact]
    public async Task RowCap_KeepsCounting_AndTheAttemptCarriesNoTransactionId()
    {
        var outcome = await Harness.Execution.ExecuteAsync(new ExecutionRequest(PipelineHarness.Alice, Rose.Core.Identity.Channel.Api, "t",
            "SELECT g FROM generate_series(1, 50) g", "test", PipelineHarness.SeedPolicy(), MaxRows: 10), null, CancellationToken.None);

        Assert.Equal(OutcomeStatus.Succeeded, outcome.Status);
        Assert.Equal(10, outcome.Result!.Statements[0].Rows.Count);
        Assert.True(outcome.Result.Statements[0].Truncated);
        Assert.Equal(50L, outcome.Result.Statements[0].RowCount);
        Assert.Equal(0L, await Harness.ControlScalarAsync<long>($"SELECT count(target_xid) FROM rose.audit_log WHERE id = {outcome.AuditId}"));
        Assert.Equal("succeeded", await Harness.ControlScalarAsync<string>($"SELECT status FROM rose.audit_entries WHERE id = {outcome.AuditId}"));
    }

    [Fact]
    public async Task Read_ValuesInIsoStyles_AndAWriteCannotChangeWhatTheNextReadRunsUnder()
    {
        var styles = await Harness.RunAsync("SELECT current_setting('DateStyle'), current_setting('IntervalStyle'), date '2026-12-01', interval '1 day 2 hours'");
        Assert.Equal(new string?[] { "ISO, YMD", "iso_8601", "2026-12-01", "P1DT2H" }, styles.Result!.Statements[0].Rows[0].AsEnumerable());

        // A write runs on the read-write pool and sets its own limits; the reads after it still start from the preset ones.
        var write = await Harness.RunAsync("CREATE TABLE sneaky (id int)");
        Assert.Equal(OutcomeStatus.Succeeded, write.Status);
        for (var i = 0; i < 3; i++)
        {
            var again = await Harness.RunAsync("SELECT current_setting('transaction_read_only'), current_setting('statement_timeout')");
            Assert.Equal(new string?[] { "on", "2s" }, again.Result!.Statements[0].Rows[0].AsEnumerable());
        }
    }
}
