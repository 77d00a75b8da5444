using System.Text.Json;
using Rose.Core.Approvals;
using Rose.Core.Identity;
using Rose.Core.Migrations;
using Rose.Core.Policy;

namespace Rose.Integration.Tests.Migrations;

/// <summary>The migration runner on a real server: once-only, all-or-nothing, drift, approval, counts.</summary>
[Collection(PostgresSecondCollection.Name)]
public sealed class MigrationRunnerTests(PostgresServerFixture pg) : PipelineTest(pg)
{
    private static readonly Actor Bob = new("bob", "Bob Approver", ActorKind.Human, "dev");
    private MigrationRunner Runner => Harness.Services.GetRequiredService<MigrationRunner>();

    internal static SqlPolicy Policy => PipelineHarness.SeedPolicy("SET", "SELECT");

    private static MigrationSet Set(params (string Name, string Sql)[] files) => MigrationSet.From(files);

    private Task<MigrationRunResult> ApplyAsync(MigrationSet set, bool dryRun = false, bool single = false) =>
        Runner.ApplyAsync(new MigrationRunRequest("t", set, PipelineHarness.Alice, Policy, "test", dryRun, single), null, CancellationToken.None);

    private Task<long> HistoryCountAsync(string version) =>
        Harness.TargetScalarAsync<long>($"SELECT count(*) FROM rose_schema_history WHERE version = '{version}' AND success");

    [Fact]
    public async Task ApplyAsync_FourConcurrentRunners_ApplyEachVersionOnce()
    {
        var set = Set(
            ("V1__create.sql", "CREATE TABLE once (id int PRIMARY KEY, v text)"),
            ("V1.1__fill.sql", "INSERT INTO once SELECT g, 'x' FROM generate_series(1, 100) g"),
            ("V2__more.sql", "INSERT INTO once VALUES (1000, 'y')"));

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => ApplyAsync(set))));

        Assert.All(results, r => Assert.Equal(MigrationRunStatus.Succeeded, r.Status));
        Assert.Equal(3, results.Sum(r => r.Applied.Count));
        Assert.Equal(101L, await Harness.TargetScalarAsync<long>("SELECT count(*) FROM once"));
        foreach (var v in new[] { "1", "1.1", "2" })
        {
            Assert.Equal(1L, await HistoryCountAsync(v));
        }
    }

    [Fact]
    public async Task ApplyAsync_FailingStatement_LeavesNoPartialMigration()
    {
        var set = Set(("V1__ok.sql", "CREATE TABLE good (id int)"),
            ("V2__bad.sql", "CREATE TABLE half (id int); INSERT INTO half VALUES (1); INSERT INTO half VALUES ('not a number')"));

        var result = await ApplyAsync(set);

        Assert.Equal(MigrationRunStatus.Failed, result.Status);
        Assert.Equal("22P02", result.SqlError?.SqlState);
        Assert.Equal(1L, await HistoryCountAsync("1"));
        Assert.Equal(0L, await Harness.TargetScalarAsync<long>("SELECT count(*) FROM rose_schema_history WHERE version = '2'"));
        Assert.Equal(0L, await Harness.TargetScalarAsync<long>("SELECT count(*) FROM pg_class WHERE relname = 'half'"));
        var status = await Harness.Services.GetRequiredService<MigrationPlanner>().StatusAsync("t", set, CancellationToken.None);
        Assert.Equal(MigrationState.Pending, status.Entries.Single(e => e.Version == "2").State);
    }

    [Fact]
    public async Task ApplyAsync_ConnectionKilledMidMigration_LeavesNone()
    {
        var set = Set(("V1__slow.sql", "CREATE TABLE killed (id int); INSERT INTO killed VALUES (1); SELECT pg_sleep(60)"));
        var policy = Policy with { AllowedOperations = [.. Policy.AllowedOperations, "FUNCTION pg_sleep"] };
        var run = Task.Run(() => Runner.ApplyAsync(new MigrationRunRequest("t", set, PipelineHarness.Alice, policy, "test"), null, CancellationToken.None));

        int? pid = null;
        for (var i = 0; i < 100 && pid is null; i++)
        {
            await Task.Delay(100);
            pid = await Harness.TargetScalarAsync<int?>("SELECT pid FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(60)%' AND pid <> pg_backend_pid() LIMIT 1");
        }

        Assert.NotNull(pid);
        Assert.True(await Harness.TargetScalarAsync<bool>($"SELECT pg_terminate_backend({pid})"));
        var result = await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(MigrationRunStatus.Failed, result.Status);
        Assert.Equal(0L, await Harness.TargetScalarAsync<long>("SELECT count(*) FROM pg_class WHERE relname = 'killed'"));
        Assert.Equal(0L, await Harness.TargetScalarAsync<long>("SELECT count(*) FROM rose_schema_history"));
    }

    [Fact]
    public async Task ApplyAsync_EditedAppliedFile_ReportsDriftAndBlocks()
    {
        Assert.Equal(MigrationRunStatus.Succeeded, (await ApplyAsync(Set(("V1__t.sql", "CREATE TABLE drift (id int)")))).Status);
        var edited = Set(("V1__t.sql", "CREATE TABLE drift (id bigint)"), ("V2__next.sql", "CREATE TABLE after_drift (id int)"));

        var status = await Harness.Services.GetRequiredService<MigrationPlanner>().StatusAsync("t", edited, CancellationToken.None);
        var result = await ApplyAsync(edited);
        var (ok, _) = await Runner.VerifyAsync("t", edited, CancellationToken.None);

        Assert.Equal(MigrationState.Drift, status.Entries.Single(e => e.Version == "1").State);
        Assert.Equal(MigrationRunStatus.Failed, result.Status);
        Assert.Contains("drift", result.Error, StringComparison.OrdinalIgnoreCase);
        Assert.False(ok);
        Assert.Equal(0L, await Harness.TargetScalarAsync<long>("SELECT count(*) FROM pg_class WHERE relname = 'after_drift'"));
    }

    [Fact]
    public async Task ApplyAsync_CreateIndexConcurrently_RunsAloneAndIsFlagged()
    {
        await Harness.TargetExecAsync("CREATE TABLE big (id int, v int); INSERT INTO big SELECT g, g FROM generate_series(1, 1000) g");
        var set = Set(("V1__idx.sql", "CREATE INDEX CONCURRENTLY IF NOT EXISTS big_v_idx ON big (v)"));

        var plan = await Harness.Services.GetRequiredService<MigrationPlanner>().PlanAsync("t", set, Policy, CancellationToken.None);
        var result = await ApplyAsync(set);

        Assert.False(plan.Migrations.Single().AllOrNothing);
        Assert.Equal(MigrationRunStatus.Succeeded, result.Status);
        Assert.False(result.Applied.Single().AllOrNothing);
        Assert.Contains(result.Notes!, n => n.Contains("not all-or-nothing", StringComparison.Ordinal));
        Assert.True(await Harness.TargetScalarAsync<bool>("SELECT indisvalid FROM pg_index WHERE indexrelid = 'big_v_idx'::regclass"));
        Assert.Equal(1L, await HistoryCountAsync("1"));
    }

    [Fact]
    public async Task ApplyAsync_DropMigration_WaitsForApprovalThenAppliesOnce()
    {
        await Harness.TargetExecAsync("CREATE TABLE doomed (id int); INSERT INTO doomed VALUES (1)");
        var set = Set(("V1__keep.sql", "CREATE TABLE kept (id int)"), ("V2__drop.sql", "DROP TABLE doomed"));

        var parked = await ApplyAsync(set);

        Assert.Equal(MigrationRunStatus.PendingApproval, parked.Status);
        Assert.NotNull(parked.ApprovalId);
        Assert.Equal(0L, await Harness.TargetScalarAsync<long>("SELECT count(*) FROM pg_class WHERE relname = 'kept'"));
        Assert.Equal(1L, await Harness.TargetScalarAsync<long>("SELECT count(*) FROM pg_class WHERE relname = 'doomed'"));
        Assert.Equal(1L, await Harness.ControlScalarAsync<long>($"SELECT count(*) FROM rose.approvals WHERE id = {parked.ApprovalId}"));

        var again = await ApplyAsync(set);
        Assert.Equal(MigrationRunStatus.PendingApproval, again.Status);

        var approved = await Harness.Services.GetRequiredService<ApprovalService>().ApproveAsync(parked.ApprovalId!.Value, Bob, mayApprove: true, "ok", CancellationToken.None);
        Assert.True(approved.Done, approved.Message);
        Assert.Equal(ApprovalStatus.Executed, approved.Request!.Status);
        Assert.Equal(0L, await Harness.TargetScalarAsync<long>("SELECT count(*) FROM pg_class WHERE relname = 'doomed'"));
        Assert.Equal(1L, await HistoryCountAsync("1"));
        Assert.Equal(1L, await HistoryCountAsync("2"));

        // The second parked request now fails whole: the history's unique index refuses a second apply.
        var second = await Harness.Services.GetRequiredService<ApprovalService>().ApproveAsync(again.ApprovalId!.Value, Bob, mayApprove: true, "ok", CancellationToken.None);
        Assert.Equal(ApprovalStatus.Failed, second.Request!.Status);
        Assert.Equal(1L, await HistoryCountAsync("1"));
        var status = await Harness.Services.GetRequiredService<MigrationPlanner>().StatusAsync("t", set, CancellationToken.None);
        Assert.All(status.Entries, e => Assert.Equal(MigrationState.Applied, e.State));
    }

    [Fact]
    public async Task ApplyAsync_Devlog_HasPreAndPostCountsAndSnapshotIsTaken()
    {
        await Harness.TargetExecAsync("CREATE TABLE counted (id int); INSERT INTO counted SELECT generate_series(1, 5)");
        var set = Set(("V1__add.sql", "SET lock_timeout = '2s'; INSERT INTO counted SELECT generate_series(6, 8)"));

        var result = await ApplyAsync(set);

        Assert.Equal(MigrationRunStatus.Succeeded, result.Status);
        Assert.True(File.Exists(result.SnapshotPath));
        Assert.Contains("CREATE TABLE public.counted", await File.ReadAllTextAsync(result.SnapshotPath!), StringComparison.Ordinal);
        var metadata = await Harness.ControlScalarAsync<string>($"SELECT metadata::text FROM rose.devlogs WHERE id = {result.Applied[0].DevlogId}");
        using var doc = JsonDocument.Parse(metadata!);
        var validation = doc.RootElement.GetProperty("validation");
        Assert.Equal(5, validation.GetProperty("pre_count").GetInt64());
        Assert.Equal(8, validation.GetProperty("post_count").GetInt64());
        Assert.True(validation.GetProperty("verified").GetBoolean());
        Assert.Contains("INSERT INTO counted", doc.RootElement.GetProperty("sql").GetString(), StringComparison.Ordinal);
        Assert.Equal("migration", await Harness.ControlScalarAsync<string>($"SELECT channel FROM rose.audit_log WHERE id = {result.Applied[0].AuditId}"));
    }

    [Fact]
    public async Task ApplyAsync_DryRun_ReportsAndRollsBack()
    {
        var set = Set(("V1__a.sql", "CREATE TABLE dry (id int); INSERT INTO dry VALUES (1), (2)"));

        var result = await ApplyAsync(set, dryRun: true);

        Assert.Equal(MigrationRunStatus.Succeeded, result.Status);
        Assert.True(result.DryRun);
        Assert.Equal(2, result.Applied.Single().PostCounts["dry"]);
        Assert.Equal(0L, await Harness.TargetScalarAsync<long>("SELECT count(*) FROM pg_class WHERE relname IN ('dry', 'rose_schema_history')"));
    }

    [Fact]
    public async Task ApplyAsync_SingleTransactionWithFailure_AppliesNothing()
    {
        var set = Set(("V1__a.sql", "CREATE TABLE st_a (id int)"), ("V2__b.sql", "CREATE TABLE st_a (id int)"));

        var result = await ApplyAsync(set, single: true);

        Assert.Equal(MigrationRunStatus.Failed, result.Status);
        Assert.Equal(0L, await Harness.TargetScalarAsync<long>("SELECT count(*) FROM pg_class WHERE relname = 'st_a'"));
        Assert.Equal(0L, await Harness.TargetScalarAsync<long>("SELECT count(*) FROM rose_schema_history"));
    }

    [Fact]
    public async Task UndoAsync_ToVersion_RunsUndoFilesInReverse()
    {
        var policy = PipelineHarness.SeedPolicy("SET", "SELECT", "DROP TABLE");
        var set = Set(("V1__a.sql", "CREATE TABLE u_a (id int PRIMARY KEY)"), ("V2__b.sql", "CREATE TABLE u_b (id int REFERENCES u_a (id))"),
            ("U2__b.sql", "DROP TABLE u_b"), ("U1__a.sql", "DROP TABLE u_a"));
        var request = new MigrationRunRequest("t", set, PipelineHarness.Alice, policy with { RequiresApproval = [] }, "undo test");
        Assert.Equal(MigrationRunStatus.Succeeded, (await Runner.ApplyAsync(request, null, CancellationToken.None)).Status);

        var undone = await Runner.UndoAsync(request, MigrationVersion.Parse("0"), null, CancellationToken.None);

        Assert.Equal(MigrationRunStatus.Succeeded, undone.Status);
        Assert.Equal(["U2__b.sql", "U1__a.sql"], undone.Applied.Select(a => a.FileName));
        Assert.Equal(0L, await Harness.TargetScalarAsync<long>("SELECT count(*) FROM pg_class WHERE relname IN ('u_a', 'u_b')"));
        var status = await Harness.Services.GetRequiredService<MigrationPlanner>().StatusAsync("t", set, CancellationToken.None);
        Assert.All(status.Entries, e => Assert.Equal(MigrationState.Pending, e.State));
    }
}
