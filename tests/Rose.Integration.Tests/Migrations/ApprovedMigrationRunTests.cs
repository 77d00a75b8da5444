using System.Text.Json;
using Rose.Core.Approvals;
using Rose.Core.Identity;
using Rose.Core.Migrations;

namespace Rose.Integration.Tests.Migrations;

/// <summary>
/// An approved migration run on a real server is held to what a direct apply does: the migration
/// lock, the snapshot first, row counts before and after, and a migration devlog of them.
/// </summary>
[Collection(PostgresSecondCollection.Name)]
public sealed class ApprovedMigrationRunTests(PostgresServerFixture pg)
{
    private static readonly Actor Bob = new("bob", "Bob Approver", ActorKind.Human, "dev");

    private static readonly MigrationSet GrowAndDrop = MigrationSet.From([
        ("V1__grow.sql", "INSERT INTO grown VALUES (3)"),
        ("V2__drop.sql", "DROP TABLE doomed")]);

    private static async Task<PipelineHarness> HarnessAsync(PostgresServerFixture pg, Dictionary<string, string?>? settings = null)
    {
        var h = await PipelineHarness.CreateAsync(pg, settings: settings);
        await h.TargetExecAsync("""
            CREATE TABLE grown (id int); INSERT INTO grown VALUES (1), (2);
            CREATE TABLE doomed (id int); INSERT INTO doomed SELECT generate_series(1, 3)
            """);
        return h;
    }

    /// <summary>Parks the run (the DROP needs approval) and checks nothing ran yet.</summary>
    private static async Task<long> ParkAsync(PipelineHarness h, MigrationSet set, Rose.Core.Policy.SqlPolicy? policy = null)
    {
        var parked = await h.Services.GetRequiredService<MigrationRunner>().ApplyAsync(
            new MigrationRunRequest("t", set, PipelineHarness.Alice, policy ?? MigrationRunnerTests.Policy, "tidy up"), null, CancellationToken.None);
        Assert.Equal(MigrationRunStatus.PendingApproval, parked.Status);
        Assert.Equal(2L, await h.TargetScalarAsync<long>("SELECT count(*) FROM grown"));
        return parked.ApprovalId!.Value;
    }

    private static Task<ApprovalActionResult> ApproveAsync(PipelineHarness h, long id) =>
        h.Services.GetRequiredService<ApprovalService>().ApproveAsync(id, Bob, mayApprove: true, "ok", CancellationToken.None);

    /// <summary>
    /// An unpooled connection: a session lock outlives Close on a pooled one (the reset runs only when
    /// it is next opened), and these connections must let go of the lock when disposed.
    /// </summary>
    private static NpgsqlConnection Unpooled(PipelineHarness h) =>
        new(new NpgsqlConnectionStringBuilder(h.TargetConnection) { Pooling = false }.ConnectionString);

    /// <summary>A connection to the target holding the migration lock, as another runner would.</summary>
    private static async Task<NpgsqlConnection> HoldLockAsync(PipelineHarness h)
    {
        var conn = Unpooled(h);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT pg_advisory_lock($1)", conn) { Parameters = { new() { Value = SchemaHistory.AdvisoryLockKey } } };
        await cmd.ExecuteNonQueryAsync();
        return conn;
    }

    private static async Task<bool> LockIsFreeAsync(PipelineHarness h)
    {
        await using var conn = Unpooled(h);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT pg_try_advisory_lock($1) AND pg_advisory_unlock($1)", conn) { Parameters = { new() { Value = SchemaHistory.AdvisoryLockKey } } };
        return (bool)(await cmd.ExecuteScalarAsync())!;
    }

    private static async Task AssertNothingAppliedAsync(PipelineHarness h, long id, ApprovalActionResult result, string messagePart)
    {
        Assert.True(result.Done, result.Message);
        Assert.Contains(messagePart, result.Message, StringComparison.Ordinal);
        Assert.Contains("nothing was applied", result.Message, StringComparison.Ordinal);
        Assert.Equal(ApprovalStatus.Failed, result.Request!.Status);
        Assert.Equal(ApprovalStatus.Failed, await h.ControlScalarAsync<string>($"SELECT status FROM rose.approvals WHERE id = {id}"));
        Assert.Equal(2L, await h.TargetScalarAsync<long>("SELECT count(*) FROM grown"));
        Assert.Equal(3L, await h.TargetScalarAsync<long>("SELECT count(*) FROM doomed"));
        Assert.Equal(0L, await h.TargetScalarAsync<long>("SELECT count(*) FROM rose_schema_history"));

        // The refusal is audited like any attempt, and the request points at that audit row.
        var auditId = result.Request.ExecutionAuditId!.Value;
        Assert.Equal("failed", await h.ControlScalarAsync<string>($"SELECT status FROM rose.audit_entries WHERE id = {auditId}"));
        Assert.Equal("55000", await h.ControlScalarAsync<string>($"SELECT error_sqlstate FROM rose.audit_entries WHERE id = {auditId}"));
        Assert.Contains(messagePart, await h.ControlScalarAsync<string>($"SELECT error_message FROM rose.audit_entries WHERE id = {auditId}"), StringComparison.Ordinal);
        Assert.Equal(0L, await h.ControlScalarAsync<long>("SELECT count(*) FROM rose.devlogs WHERE log_type = 'migration'"));
        Assert.True(await LockIsFreeAsync(h));
    }

    [Fact]
    public async Task ApproveAsync_ParkedDropMigration_SnapshotsCountsAndWritesMigrationDevlog()
    {
        await using var h = await HarnessAsync(pg);
        var id = await ParkAsync(h, GrowAndDrop);

        var result = await ApproveAsync(h, id);

        Assert.True(result.Done, result.Message);
        Assert.Equal(ApprovalStatus.Executed, result.Request!.Status);
        Assert.Equal(3L, await h.TargetScalarAsync<long>("SELECT count(*) FROM grown"));
        Assert.Equal(0L, await h.TargetScalarAsync<long>("SELECT count(*) FROM pg_class WHERE relname = 'doomed'"));

        // One migration devlog, linked to the approved execution's audit row.
        var auditId = result.Request.ExecutionAuditId!.Value;
        Assert.Equal("approval", await h.ControlScalarAsync<string>($"SELECT channel FROM rose.audit_log WHERE id = {auditId}"));
        Assert.Equal(1L, await h.ControlScalarAsync<long>("SELECT count(*) FROM rose.devlogs WHERE log_type = 'migration'"));
        var title = await h.ControlScalarAsync<string>($"SELECT title FROM rose.devlogs WHERE log_type = 'migration' AND audit_id = {auditId}");
        Assert.Equal($"Approved migration run #{id} applied to t: V1__grow.sql, V2__drop.sql (approved by Bob Approver)", title);
        Assert.Equal("alice", await h.ControlScalarAsync<string>($"SELECT author_id FROM rose.devlogs WHERE audit_id = {auditId} AND log_type = 'migration'"));

        var metadata = await h.ControlScalarAsync<string>($"SELECT metadata::text FROM rose.devlogs WHERE log_type = 'migration' AND audit_id = {auditId}");
        using var doc = JsonDocument.Parse(metadata!);
        Assert.Equal("tidy up", doc.RootElement.GetProperty("intent").GetString());
        Assert.Contains("DROP TABLE doomed", doc.RootElement.GetProperty("sql").GetString(), StringComparison.Ordinal);
        var validation = doc.RootElement.GetProperty("validation");
        Assert.Equal(5, validation.GetProperty("pre_count").GetInt64());
        Assert.Equal(3, validation.GetProperty("post_count").GetInt64());
        Assert.True(validation.GetProperty("verified").GetBoolean());
        var tables = validation.GetProperty("tables");
        Assert.Equal(["doomed", "grown"], tables.EnumerateObject().Select(t => t.Name).Order(StringComparer.Ordinal)); // jsonb keeps its own key order
        Assert.Equal(2, tables.GetProperty("grown").GetProperty("pre_count").GetInt64());
        Assert.Equal(3, tables.GetProperty("grown").GetProperty("post_count").GetInt64());
        Assert.Equal(3, tables.GetProperty("doomed").GetProperty("pre_count").GetInt64());
        Assert.Equal(JsonValueKind.Null, tables.GetProperty("doomed").GetProperty("post_count").ValueKind);

        var migration = doc.RootElement.GetProperty("migration");
        Assert.Equal(["V1__grow.sql", "V2__drop.sql"], migration.GetProperty("files").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal(id, migration.GetProperty("approval_id").GetInt64());
        Assert.Equal("bob", migration.GetProperty("approved_by").GetString());

        // The snapshot was taken before the drop ran.
        var snapshot = migration.GetProperty("snapshot").GetString();
        Assert.True(File.Exists(snapshot), snapshot);
        Assert.Contains("CREATE TABLE public.doomed", await File.ReadAllTextAsync(snapshot!), StringComparison.Ordinal);
        Assert.True(await LockIsFreeAsync(h));
    }

    [Fact]
    public async Task ApproveAsync_MigrationLockHeldElsewhere_FailsNamingTheLockAndAppliesNothing()
    {
        await using var h = await HarnessAsync(pg, new() { ["Rose:Migrations:LockWaitSeconds"] = "1" });
        var id = await ParkAsync(h, GrowAndDrop);
        ApprovalActionResult result;
        await using (await HoldLockAsync(h))
        {
            result = await ApproveAsync(h, id);
        }

        await AssertNothingAppliedAsync(h, id, result, "migration lock");
    }

    [Fact]
    public async Task ApproveAsync_SnapshotFails_RunsNothingAndEndsFailed()
    {
        await using var h = await HarnessAsync(pg, new() { ["Rose:Migrations:PgDumpPath"] = "/nonexistent/rose-test/pg_dump" });
        var id = await ParkAsync(h, GrowAndDrop);

        var result = await ApproveAsync(h, id);

        await AssertNothingAppliedAsync(h, id, result, "snapshot before apply failed");
    }

    [Fact]
    public async Task ApproveAsync_MigrationLockBusyForAWhile_WaitsThenHoldsItWhileTheSqlRuns()
    {
        await using var h = await HarnessAsync(pg);
        var policy = MigrationRunnerTests.Policy with { AllowedOperations = [.. MigrationRunnerTests.Policy.AllowedOperations, "FUNCTION pg_sleep"] };
        var id = await ParkAsync(h, MigrationSet.From([("V1__slow_drop.sql", "SELECT pg_sleep(3); DROP TABLE doomed")]), policy);
        var holder = await HoldLockAsync(h);
        Task<ApprovalActionResult> approval;
        try
        {
            approval = Task.Run(() => ApproveAsync(h, id));
            await Task.Delay(TimeSpan.FromSeconds(1.5));

            // Still waiting for the lock: claimed, but nothing has run.
            Assert.False(approval.IsCompleted);
            Assert.Equal(ApprovalStatus.Executing, await h.ControlScalarAsync<string>($"SELECT status FROM rose.approvals WHERE id = {id}"));
            Assert.Equal(0L, await h.TargetScalarAsync<long>("SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(3)%'"));
        }
        finally
        {
            await holder.DisposeAsync();
        }

        int? sleeping = null;
        for (var i = 0; i < 100 && sleeping is null; i++)
        {
            await Task.Delay(100);
            sleeping = await h.TargetScalarAsync<int?>("SELECT pid FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(3)%' AND state = 'active' LIMIT 1");
        }

        Assert.NotNull(sleeping);
        Assert.False(await LockIsFreeAsync(h));
        var result = await approval.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(ApprovalStatus.Executed, result.Request!.Status);
        Assert.Equal(0L, await h.TargetScalarAsync<long>("SELECT count(*) FROM pg_class WHERE relname = 'doomed'"));
        Assert.True(await LockIsFreeAsync(h));
    }

    [Fact]
    public async Task ApproveAsync_TheSqlRunsOnTheBackendHoldingTheLock_AndASecondRunIsRefusedMeanwhile()
    {
        await using var h = await HarnessAsync(pg, new() { ["Rose:Migrations:LockWaitSeconds"] = "1" });
        var policy = MigrationRunnerTests.Policy with { AllowedOperations = [.. MigrationRunnerTests.Policy.AllowedOperations, "FUNCTION pg_sleep"] };
        var id = await ParkAsync(h, MigrationSet.From([("V1__slow_drop.sql", "SELECT pg_sleep(3); DROP TABLE doomed")]), policy);

        var approval = Task.Run(() => ApproveAsync(h, id));
        int? sleeping = null;
        for (var i = 0; i < 100 && sleeping is null; i++)
        {
            await Task.Delay(100);
            sleeping = await h.TargetScalarAsync<int?>("SELECT pid FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(3)%' AND state = 'active' LIMIT 1");
        }

        Assert.NotNull(sleeping);

        // The backend running the approved SQL is the one holding the migration lock (a bigint key is
        // split into classid, the high half, and objid, the low half), and no other backend holds it.
        // Advisory locks belong to a database: other tests' targets on this server take the same key in theirs.
        var holders = await h.TargetScalarAsync<int[]>($"""
            SELECT array_agg(pid) FROM pg_locks
            WHERE locktype = 'advisory' AND granted AND objsubid = 1
              AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND ((classid::bigint << 32) | objid::bigint) = {SchemaHistory.AdvisoryLockKey}
            """);
        Assert.Equal([sleeping.Value], holders ?? []);

        // Meanwhile a direct run on the same target waits for the lock and gives up, applying nothing.
        var second = await Assert.ThrowsAsync<MigrationException>(() => h.Services.GetRequiredService<MigrationRunner>().ApplyAsync(
            new MigrationRunRequest("t", MigrationSet.From([("V1__other.sql", "INSERT INTO grown VALUES (9)")]),
                PipelineHarness.Alice, policy, "meanwhile"), null, CancellationToken.None));
        Assert.Contains("migration lock", second.Message, StringComparison.Ordinal);
        Assert.Equal(0L, await h.TargetScalarAsync<long>("SELECT count(*) FROM grown WHERE id = 9"));

        var result = await approval.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(ApprovalStatus.Executed, result.Request!.Status);
        Assert.Equal(0L, await h.TargetScalarAsync<long>("SELECT count(*) FROM pg_class WHERE relname = 'doomed'"));
        Assert.True(await LockIsFreeAsync(h));
    }
}
