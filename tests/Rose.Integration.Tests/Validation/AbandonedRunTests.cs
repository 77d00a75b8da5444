using Rose.Core.Validation;
using Rose.Core.Validation.Storage;

namespace Rose.Integration.Tests.Validation;

/// <summary>
/// Runs whose process died are recognised by their stale heartbeat, closed as abandoned, and their
/// schedule slot is claimed again exactly once by two console instances racing for it; a live run,
/// however long it takes, keeps its slot. Both instances use the smallest abandon window (10 s, so
/// a beat every 2 s) to make "longer than the window" affordable in a test.
/// </summary>
[Collection(PostgresSecondCollection.Name)]
public sealed class AbandonedRunTests(PostgresServerFixture pg) : IAsyncLifetime
{
    private static readonly Dictionary<string, string?> ShortWindow = new() { ["Rose:Validation:AbandonAfterSeconds"] = "10" };

    private PipelineHarness first = null!;
    private PipelineHarness second = null!;

    public async Task InitializeAsync()
    {
        // The first instance waits for table locks longer than the abandon window, so a run can be held live past it.
        first = await PipelineHarness.CreateAsync(pg, t => t.LockTimeoutSeconds = 60, ShortWindow);
        await first.TargetExecAsync("CREATE TABLE items (id int PRIMARY KEY); INSERT INTO items SELECT generate_series(1, 10);");
        second = await PipelineHarness.AttachAsync(first, ShortWindow);
    }

    public async Task DisposeAsync()
    {
        await second.DisposeAsync();
        await first.DisposeAsync();
    }

    private ValidationRunner RunnerA => first.Services.GetRequiredService<ValidationRunner>();

    private ValidationRunner RunnerB => second.Services.GetRequiredService<ValidationRunner>();

    private static DateTimeOffset Slot => ValidationScheduler.SlotOf(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(15));

    /// <summary>Six scheduled runs of one slot, alternating between the two instances, all at once.</summary>
    private Task<ValidationReport?[]> RaceAsync(DateTimeOffset slot) =>
        Task.WhenAll(Enumerable.Range(0, 6).Select(i =>
            Task.Run(() => (i % 2 == 0 ? RunnerA : RunnerB).RunScheduledAsync("t", slot, CancellationToken.None))));

    [Fact]
    public async Task ClaimSlot_RunWithStaleHeartbeat_IsAbandonedAndItsSlotRunOnceByConcurrentClaimers()
    {
        var slot = Slot;
        // A console claimed the slot and died: its row says running and its heartbeat stopped an hour ago.
        var dead = await second.Services.GetRequiredService<ValidationRunStore>().ClaimSlotAsync("t", slot, "rose:validation", CancellationToken.None);
        Assert.NotNull(dead);
        await first.ControlScalarAsync<int>($"UPDATE rose.validation_runs SET heartbeat_at = now() - interval '1 hour' WHERE id = {dead}");

        var reports = await RaceAsync(slot);

        var ran = Assert.Single(reports, r => r is not null)!;
        Assert.Equal(RunStatus.Completed, ran.Status);
        Assert.NotEqual(dead, ran.RunId);
        var closed = (await first.Services.GetRequiredService<ValidationRunStore>().GetAsync(dead!.Value, CancellationToken.None))!;
        Assert.Equal(RunStatus.Abandoned, closed.Status);
        Assert.NotNull(closed.FinishedAt);
        Assert.StartsWith("abandoned: no heartbeat since", closed.Error, StringComparison.Ordinal);
        Assert.Contains("Rose:Validation:AbandonAfterSeconds", closed.Error, StringComparison.Ordinal);
        // The slot has the dead row and exactly one run that completed.
        Assert.Equal(2L, await first.ControlScalarAsync<long>($"SELECT count(*) FROM rose.validation_runs WHERE schedule_slot IS NOT NULL"));
        Assert.Equal(1L, await first.ControlScalarAsync<long>($"SELECT count(*) FROM rose.validation_runs WHERE schedule_slot IS NOT NULL AND status = 'completed'"));

        // Once run, the slot is taken for good.
        Assert.All(await RaceAsync(slot), Assert.Null);
    }

    [Fact]
    public async Task ClaimSlot_LiveRunLongerThanTheAbandonWindow_IsNeverStolen()
    {
        var slot = Slot;
        await using var blocker = await LockItemsAsync();
        var live = Task.Run(() => RunnerA.RunScheduledAsync("t", slot, CancellationToken.None));
        var id = await WaitForRunAsync();

        // Blocked on the lock for longer than the abandon window: only its heartbeat shows it is alive.
        await Task.Delay(TimeSpan.FromSeconds(13));
        Assert.False(live.IsCompleted);
        Assert.True(await first.ControlScalarAsync<bool>(
            $"SELECT heartbeat_at > now() - interval '10 seconds' AND heartbeat_at > started_at + interval '5 seconds' FROM rose.validation_runs WHERE id = {id}"));

        Assert.All(await RaceAsync(slot), Assert.Null);
        var listed = await second.Services.GetRequiredService<ValidationRunStore>().ListAsync("t", 10, CancellationToken.None);
        Assert.Equal(RunStatus.Running, Assert.Single(listed).Status);

        await blocker.ReleaseAsync();
        var report = await live;
        Assert.NotNull(report);
        Assert.Equal(id, report.RunId);
        Assert.Equal(RunStatus.Completed, report.Status);
        Assert.Equal(1L, await first.ControlScalarAsync<long>("SELECT count(*) FROM rose.validation_runs"));
        Assert.Equal("completed", await first.ControlScalarAsync<string>($"SELECT status FROM rose.validation_runs WHERE id = {id}"));
    }

    [Fact]
    public async Task Heartbeat_RunAbandonedWhileStillWorking_StopsAndLeavesTheVerdictAndTheSlotAlone()
    {
        var slot = Slot;
        await using var blocker = await LockItemsAsync();
        var live = Task.Run(() => RunnerA.RunScheduledAsync("t", slot, CancellationToken.None));
        var id = await WaitForRunAsync();

        // What a sweep does to a run that stalled past the window (a long pause, a lost network): it
        // is declared dead, and another instance claims the slot.
        await first.ControlScalarAsync<int>($"UPDATE rose.validation_runs SET status = 'abandoned', finished_at = now(), error = 'abandoned: test' WHERE id = {id}");
        var successor = await second.Services.GetRequiredService<ValidationRunStore>().ClaimSlotAsync("t", slot, "rose:validation", CancellationToken.None);
        Assert.NotNull(successor);

        // Its next beat (every 2 s) tells it; it stops although the lock still blocks its query.
        var report = await live.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.NotNull(report);
        Assert.Equal(RunStatus.Abandoned, report.Status);
        Assert.Contains(report.Errors, e => e.Contains("abandoned", StringComparison.Ordinal));
        Assert.Equal("abandoned: test", await first.ControlScalarAsync<string>($"SELECT error FROM rose.validation_runs WHERE id = {id}"));
        Assert.Equal(0L, await first.ControlScalarAsync<long>($"SELECT count(*) FROM rose.validation_results WHERE run_id = {id}"));
        Assert.Equal("running", await first.ControlScalarAsync<string>($"SELECT status FROM rose.validation_runs WHERE id = {successor}"));
        await blocker.ReleaseAsync();
    }

    [Fact]
    public async Task ListRuns_SweepsOnlyRunningRunsWhoseHeartbeatIsStale()
    {
        var store = first.Services.GetRequiredService<ValidationRunStore>();
        var staleManual = await store.StartAsync("t", "alice", CancellationToken.None);
        var fresh = await store.StartAsync("t", "bob", CancellationToken.None);
        var oldDone = await store.StartAsync("t", "carol", CancellationToken.None);
        Assert.True(await store.FinishAsync(oldDone, RunStatus.Completed, """{"pass":1,"warn":0,"fail":0,"error":0,"findings":0}""", null, CancellationToken.None));
        await first.ControlScalarAsync<int>($"UPDATE rose.validation_runs SET heartbeat_at = now() - interval '11 seconds' WHERE id IN ({staleManual}, {oldDone})");

        var runs = (await store.ListAsync("t", 10, CancellationToken.None)).ToDictionary(r => r.Id);

        Assert.Equal(RunStatus.Abandoned, runs[staleManual].Status);
        Assert.NotNull(runs[staleManual].FinishedAt);
        Assert.Equal(RunStatus.Running, runs[fresh].Status);
        Assert.Null(runs[fresh].FinishedAt);
        Assert.Equal(RunStatus.Completed, runs[oldDone].Status);
        Assert.Null(runs[oldDone].Error);
        // A closed run's heartbeat no longer counts: it cannot come back to life.
        Assert.False(await store.HeartbeatAsync(staleManual, CancellationToken.None));
        Assert.True(await store.HeartbeatAsync(fresh, CancellationToken.None));
    }

    /// <summary>Holds an exclusive lock on items in an open transaction: a run's scan of it waits.</summary>
    private async Task<TableLock> LockItemsAsync()
    {
        var conn = new NpgsqlConnection(first.TargetConnection);
        await conn.OpenAsync();
        var tx = await conn.BeginTransactionAsync();
        await using var cmd = new NpgsqlCommand("LOCK TABLE items IN ACCESS EXCLUSIVE MODE", conn, tx);
        await cmd.ExecuteNonQueryAsync();
        return new TableLock(conn, tx);
    }

    private async Task<long> WaitForRunAsync()
    {
        for (var i = 0; i < 200; i++)
        {
            var id = await first.ControlScalarAsync<long>($"SELECT coalesce(max(id), 0) FROM rose.validation_runs WHERE schedule_slot IS NOT NULL");
            if (id > 0)
            {
                return id;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("the scheduled run never claimed its slot");
    }

    private sealed class TableLock(NpgsqlConnection conn, NpgsqlTransaction tx) : IAsyncDisposable
    {
        public Task ReleaseAsync() => tx.RollbackAsync();

        public async ValueTask DisposeAsync()
        {
            await tx.DisposeAsync();
            await conn.DisposeAsync();
        }
    }
}
