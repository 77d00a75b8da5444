using Npgsql;
using Rose.Core.Audit;
using Rose.Core.Audit.Recovery;
using Rose.Core.Execution;
using Rose.Core.Identity;
using Rose.Core.Policy;
using Rose.Tests.Shared;

namespace Rose.Integration.Tests.Audit;

/// <summary>
/// A run that succeeded answers its caller before its outcome row is written (AuditOutcomeWriter, group
/// commit). What must still hold: the attempt is committed before anything runs; the outcome arrives, bound
/// to its attempt's hash; a failure is written before the caller hears of it; readers in this process never
/// see a finished run as running; recovery does not close an attempt whose outcome is only queued.
/// The outcome table is held locked (INSERTs wait) to make "queued, not yet written" last as long as needed.
/// </summary>
[Collection("postgres")]
public sealed class DeferredOutcomeTests(PostgresServerFixture pg) : PipelineTest(pg)
{
    protected override IReadOnlyDictionary<string, string?>? Settings => new Dictionary<string, string?>
    {
        ["Rose:Audit:RecoveryGraceSeconds"] = "1",
    };

    protected override async Task SeedAsync() =>
        await Harness.TargetExecAsync("CREATE TABLE items (id int PRIMARY KEY, name text); INSERT INTO items VALUES (1, 'one'), (2, 'two')");

    private AuditLog Audit => Harness.Services.GetRequiredService<AuditLog>();

    [Fact]
    public async Task SuccessfulRead_AnswersWhileItsOutcomeWaits_ThenTheOutcomeIsWrittenAndVerifies()
    {
        ExecutionOutcome outcome;
        await using (await Db.HoldTableAsync(Harness.ControlConnection, "rose.audit_outcome"))
        {
            // The INSERT of the outcome would wait on the lock: the caller must not.
            outcome = await Harness.RunAsync("SELECT name FROM items WHERE id = 1").WaitAsync(TimeSpan.FromSeconds(20));
            Assert.Equal(OutcomeStatus.Succeeded, outcome.Status);
            Assert.Equal("one", outcome.Result!.Statements[0].Rows[0][0]);
            Assert.True(Audit.IsOpen(outcome.AuditId));
            Assert.Equal(1L, await RawCountAsync($"SELECT count(*) FROM rose.audit_log WHERE id = {outcome.AuditId}"));
            Assert.Equal(0L, await RawCountAsync($"SELECT count(*) FROM rose.audit_outcome WHERE audit_id = {outcome.AuditId}"));
        }

        await Audit.OutcomesWrittenAsync().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.False(Audit.IsOpen(outcome.AuditId));
        Assert.Equal("succeeded 1", await Harness.ControlScalarAsync<string>(
            $"SELECT status || ' ' || rows_affected FROM rose.audit_outcome WHERE audit_id = {outcome.AuditId}"));
        var report = await Harness.Services.GetRequiredService<AuditChainVerifier>().VerifyAsync(null, null, TimeSpan.Zero, CancellationToken.None);
        Assert.True(report.Valid, report.Problem);
        Assert.Equal(0L, report.Unfinished);
    }

    [Fact]
    public async Task FailedRun_IsWrittenBeforeTheCallerHearsOfIt()
    {
        var outcome = await Harness.RunAsync("SELECT 1 / 0");

        Assert.Equal(OutcomeStatus.Failed, outcome.Status);
        // Read on a connection of its own, without waiting for queued outcomes: the row is already there.
        Assert.Equal(1L, await RawCountAsync($"SELECT count(*) FROM rose.audit_outcome WHERE audit_id = {outcome.AuditId} AND status = 'failed' AND error_sqlstate = '22012'"));
        Assert.False(Audit.IsOpen(outcome.AuditId));
    }

    [Fact]
    public async Task AuditReader_WaitsForQueuedOutcomes_SoAFinishedRunNeverShowsRunning()
    {
        var held = await Db.HoldTableAsync(Harness.ControlConnection, "rose.audit_outcome");
        var outcome = await Harness.RunAsync("SELECT name FROM items WHERE id = 2");
        var read = Harness.Services.GetRequiredService<AuditReader>().GetAsync(outcome.AuditId, CancellationToken.None);
        await Task.Delay(300);
        Assert.False(read.IsCompleted, "the reader answered while the outcome was still queued");
        await held.DisposeAsync();

        var entry = await read.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(AuditStatus.Succeeded, entry!.Status);
        Assert.NotNull(entry.FinishedAt);
    }

    [Fact]
    public async Task AuditedAction_Succeeded_AnswersWhileItsOutcomeWaits_AFailedOneIsWrittenBeforeItAnswers()
    {
        // The bracket hosts use for their own audited work (an MCP tool call around its route).
        var actions = Harness.Services.GetRequiredService<AuditedActions>();
        AuditAttempt Attempt(string what) => new(Actor.System("test"), Channel.Mcp, "t", null, "-- " + what, ["MCP TOOL TEST"], Decision.Allow, ["test"]);
        long succeeded, covered;
        await using (await Db.HoldTableAsync(Harness.ControlConnection, "rose.audit_outcome"))
        {
            (succeeded, _) = await actions.RunAsync(Attempt("ok"), _ => Task.FromResult(200), _ => new AuditOutcome(AuditStatus.Succeeded),
                _ => new AuditOutcome(AuditStatus.Failed), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));
            (covered, _) = await actions.RunCoveredAsync(Attempt("covered"), () => Task.FromResult(200), _ => new AuditOutcome(AuditStatus.Succeeded),
                _ => new AuditOutcome(AuditStatus.Failed)).WaitAsync(TimeSpan.FromSeconds(20));
            Assert.True(Audit.IsOpen(succeeded));
            Assert.True(Audit.IsOpen(covered));
            Assert.Equal(2L, await RawCountAsync($"SELECT count(*) FROM rose.audit_log WHERE id IN ({succeeded}, {covered})"));
        }

        var (failed, _) = await actions.RunAsync(Attempt("not found"), _ => Task.FromResult(404), _ => new AuditOutcome(AuditStatus.Failed, ErrorMessage: "HTTP 404"),
            _ => new AuditOutcome(AuditStatus.Failed), CancellationToken.None);
        Assert.Equal(1L, await RawCountAsync($"SELECT count(*) FROM rose.audit_outcome WHERE audit_id = {failed} AND status = 'failed'"));

        await Audit.OutcomesWrittenAsync().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(2L, await RawCountAsync($"SELECT count(*) FROM rose.audit_outcome WHERE audit_id IN ({succeeded}, {covered}) AND status = 'succeeded'"));
        var report = await Harness.Services.GetRequiredService<AuditChainVerifier>().VerifyAsync(null, null, TimeSpan.Zero, CancellationToken.None);
        Assert.True(report.Valid, report.Problem);
        Assert.Equal(0L, report.Unfinished);
    }

    [Fact]
    public async Task Recovery_LeavesAQueuedOutcomeAlone()
    {
        ExecutionOutcome outcome;
        await using (await Db.HoldTableAsync(Harness.ControlConnection, "rose.audit_outcome"))
        {
            outcome = await Harness.RunAsync("SELECT count(*) FROM items");
            // Older than the recovery grace (1 s here) and without an outcome row, but still this process's to write.
            await Task.Delay(1_200);
            var recovery = Harness.Services.GetRequiredService<AuditRecovery>();
            Assert.Equal(0, await recovery.RecoverAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20)));
        }

        Assert.Equal("succeeded false", await Harness.ControlScalarAsync<string>(
            $"SELECT status || ' ' || recovered FROM rose.audit_outcome WHERE audit_id = {outcome.AuditId}"));
    }

    [Fact]
    public async Task ManyConcurrentSuccesses_AllGetTheirOutcome_AndTheChainVerifies()
    {
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Harness.RunAsync($"SELECT name FROM items WHERE id = {i % 2 + 1}")));

        Assert.All(outcomes, o => Assert.Equal(OutcomeStatus.Succeeded, o.Status));
        var ids = string.Join(',', outcomes.Select(o => o.AuditId));
        Assert.Equal(40L, await Harness.ControlScalarAsync<long>($"SELECT count(*) FROM rose.audit_outcome WHERE audit_id IN ({ids}) AND status = 'succeeded'"));
        var report = await Harness.Services.GetRequiredService<AuditChainVerifier>().VerifyAsync(null, null, TimeSpan.Zero, CancellationToken.None);
        Assert.True(report.Valid, report.Problem);
        Assert.Equal(0L, report.Unfinished);
    }

    /// <summary>A count on a connection of its own, not waiting for this process's queued outcomes.</summary>
    private async Task<long> RawCountAsync(string sql)
    {
        await using var conn = new NpgsqlConnection(Harness.ControlConnection);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
