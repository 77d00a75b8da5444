using System.Text.Json;
using Rose.Core.Approvals;
using Rose.Core.Execution;
using Rose.Core.Identity;

namespace Rose.Integration.Tests.Approvals;

/// <summary>
/// The approval flow on a real server. One harness for the class (<see cref="SharedHarness"/>): a request that
/// is refused, rejected or expired changes nothing, and each test that does run its SQL or grow a table has a
/// table of its own (`raced`, `approved_drop`, `grown`), so `doomed` and `child` stay as seeded for the others.
/// </summary>
[Collection(PostgresSecondCollection.Name)]
public sealed class ApprovalServiceTests(PostgresServerFixture pg, SharedHarness shared) : PipelineTest(pg, shared), IClassFixture<SharedHarness>
{
    private static readonly Actor Bob = new("bob", "Bob Approver", ActorKind.Human, "dev");
    private static readonly Actor Carol = new("carol", "Carol Admin", ActorKind.Human, "dev");
    private static readonly Actor Agent = new("rose", "Rose", ActorKind.Agent, "api-key");
    protected override async Task SeedAsync()
    {
        await Harness.TargetExecAsync("CREATE TABLE doomed (id int PRIMARY KEY, v text); INSERT INTO doomed SELECT g, 'x' FROM generate_series(1, 300) g; ANALYZE doomed");
        await Harness.TargetExecAsync("CREATE VIEW doomed_view AS SELECT id FROM doomed; CREATE TABLE child (id int PRIMARY KEY, doomed_id int REFERENCES doomed (id))");
        await Harness.TargetExecAsync("CREATE TABLE raced (id int PRIMARY KEY); INSERT INTO raced SELECT generate_series(1, 300); CREATE TABLE approved_drop (id int)");
        await Harness.TargetExecAsync("CREATE TABLE grown (id int PRIMARY KEY, v text); INSERT INTO grown SELECT g, 'x' FROM generate_series(1, 300) g; ANALYZE grown");
    }

    private ApprovalService Service => Harness.Services.GetRequiredService<ApprovalService>();
    private ApprovalStore Store => Harness.Services.GetRequiredService<ApprovalStore>();

    private async Task<long> ParkAsync(string sql)
    {
        var outcome = await Harness.RunAsync(sql);
        Assert.Equal(OutcomeStatus.PendingApproval, outcome.Status);
        return outcome.ApprovalId!.Value;
    }

    [Fact]
    public async Task ApproveAsync_TwentyConcurrentApprovals_ExecuteExactlyOnce()
    {
        var id = await ParkAsync("TRUNCATE raced");

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            Task.Run(() => Service.ApproveAsync(id, i % 2 == 0 ? Bob : Carol, mayApprove: true, $"ok {i}", CancellationToken.None))));

        Assert.Single(results, r => r.Done);
        var executions = await Harness.ControlScalarAsync<long>($"SELECT count(*) FROM rose.audit_log WHERE approval_id = {id} AND channel = 'approval' AND executor_kind <> 'system'");
        Assert.Equal(1L, executions);
        Assert.Equal(ApprovalStatus.Executed, (await Store.GetAsync(id, CancellationToken.None))!.Status);
        Assert.Equal(0L, await Harness.TargetScalarAsync<long>("SELECT count(*) FROM raced"));
    }

    [Fact]
    public async Task ApproveAsync_Approved_RunsStoredSqlAndAuditNamesTheApprover()
    {
        var id = await ParkAsync("DROP TABLE approved_drop");

        var result = await Service.ApproveAsync(id, Bob, mayApprove: true, "looks fine", CancellationToken.None);

        Assert.True(result.Done, result.Message);
        Assert.Equal(0L, await Harness.TargetScalarAsync<long>("SELECT count(*) FROM pg_class WHERE relname = 'approved_drop'"));
        var request = await Store.GetAsync(id, CancellationToken.None);
        Assert.Equal("bob", request!.DecidedBy);
        Assert.Equal("looks fine", request.DecisionComment);
        var approvedBy = await Harness.ControlScalarAsync<string>($"SELECT approved_by FROM rose.audit_log WHERE id = {request.ExecutionAuditId}");
        Assert.Equal("bob", approvedBy);
    }

    [Fact]
    public async Task ApproveAsync_OwnRequest_IsRefused()
    {
        var id = await ParkAsync("DROP TABLE child");
        var alice = PipelineHarness.Alice;

        var result = await Service.ApproveAsync(id, alice, mayApprove: true, null, CancellationToken.None);

        Assert.False(result.Done);
        Assert.Contains("own request", result.Message, StringComparison.Ordinal);
        Assert.Equal(ApprovalStatus.Pending, (await Store.GetAsync(id, CancellationToken.None))!.Status);
    }

    [Theory]
    [InlineData(true, true)] // an agent, even one whose caller claims the approver role
    [InlineData(false, false)] // a human without the approver role
    public async Task ApproveAsync_AgentOrWithoutApproverRole_IsRefused(bool asAgent, bool mayApprove)
    {
        var id = await ParkAsync("DROP TABLE child");

        var result = await Service.ApproveAsync(id, asAgent ? Agent : Carol, mayApprove, null, CancellationToken.None);

        Assert.False(result.Done);
        Assert.Equal(1L, await Harness.TargetScalarAsync<long>("SELECT count(*) FROM pg_class WHERE relname = 'child'"));
    }

    [Fact]
    public async Task ApproveAsync_Expired_IsRefused()
    {
        var id = await ParkAsync("DROP TABLE child");
        await using (var cmd = Harness.Runtime.Control.DataSource.CreateCommand($"UPDATE rose.approvals SET expires_at = now() - interval '1 minute' WHERE id = {id}"))
        {
            await cmd.ExecuteNonQueryAsync();
        }

        var result = await Service.ApproveAsync(id, Bob, mayApprove: true, null, CancellationToken.None);

        Assert.False(result.Done);
        Assert.Contains("expired", result.Message, StringComparison.Ordinal);
        Assert.Equal(1L, await Harness.TargetScalarAsync<long>("SELECT count(*) FROM pg_class WHERE relname = 'child'"));
    }

    [Fact]
    public async Task RejectAsync_ThenApprove_NothingRuns()
    {
        var id = await ParkAsync("DROP TABLE child");

        Assert.True((await Service.RejectAsync(id, Bob, true, "no", CancellationToken.None)).Done);
        var second = await Service.ApproveAsync(id, Carol, true, null, CancellationToken.None);

        Assert.False(second.Done);
        Assert.Contains("rejected", second.Message, StringComparison.Ordinal);
        Assert.Equal(1L, await Harness.TargetScalarAsync<long>("SELECT count(*) FROM pg_class WHERE relname = 'child'"));
    }

    [Fact]
    public async Task Park_Preview_CountsRowsAndListsDependents()
    {
        var deleteId = await ParkAsync("DELETE FROM doomed WHERE id <= 42; DROP TABLE doomed CASCADE");

        var request = await Store.GetAsync(deleteId, CancellationToken.None);
        using var preview = JsonDocument.Parse(request!.PreviewJson!);
        var statements = preview.RootElement.GetProperty("statements");
        Assert.Equal(42, statements[0].GetProperty("rows_affected").GetInt64());
        Assert.Equal("ACCESS EXCLUSIVE", statements[1].GetProperty("lock").GetString());
        var dependents = statements[1].GetProperty("objects")[0].GetProperty("dependents").EnumerateArray().Select(d => d.GetString()).ToList();
        Assert.Contains(dependents, d => d!.Contains("doomed_view", StringComparison.Ordinal));
        Assert.Contains(dependents, d => d!.Contains("child", StringComparison.Ordinal));
        // The dry run was rolled back.
        Assert.Equal(300L, await Harness.TargetScalarAsync<long>("SELECT count(*) FROM doomed"));
    }

    [Fact]
    public async Task ShapeChangesAsync_TableGrewSincePreview_Warns()
    {
        var id = await ParkAsync("TRUNCATE grown");
        await Harness.TargetExecAsync("INSERT INTO grown SELECT g, 'y' FROM generate_series(301, 5000) g; ANALYZE grown");
        var request = await Store.GetAsync(id, CancellationToken.None);
        Assert.True(Harness.Services.GetRequiredService<Rose.Core.Targets.TargetRegistry>().TryGet("t", out var target));

        var warnings = await Harness.Services.GetRequiredService<ApprovalPreviewer>().ShapeChangesAsync(target, request!.TargetSnapshotJson, CancellationToken.None);

        Assert.Contains(warnings, w => w.Contains("grown", StringComparison.Ordinal) && w.Contains("5,000", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Notifier_RequestParkedOnOneInstance_IsHeardByAnother()
    {
        await using var other = await PipelineHarness.AttachAsync(Harness);
        var listener = other.Services.GetRequiredService<ApprovalNotifier>();
        var heard = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        listener.Changed += id => heard.TrySetResult(id);
        using var stop = new CancellationTokenSource();
        await listener.StartAsync(stop.Token);
        for (var i = 0; i < 100 && !listener.Listening; i++)
        {
            await Task.Delay(50);
        }

        var id = await ParkAsync("DROP TABLE child");

        Assert.Equal(id, await heard.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        await stop.CancelAsync();
        await listener.StopAsync(CancellationToken.None);
    }
}
