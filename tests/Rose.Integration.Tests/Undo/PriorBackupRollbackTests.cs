using Rose.Core.Execution;
using Rose.Core.Identity;
using Rose.Core.Policy;
using Rose.Core.Undo;

namespace Rose.Integration.Tests.Undo;

/// <summary>
/// Prior backups taken by the real pipeline on a dev target (mode always), and changes rolled back
/// through the pipeline again: the table's checksum must come back to the original's.
/// </summary>
[Collection(PostgresSecondCollection.Name)]
public sealed class PriorBackupRollbackTests(PostgresServerFixture pg) : PipelineTest(pg)
{
    private const string Checksum = "SELECT md5(string_agg(i::text, '|' ORDER BY id)) FROM items i";
    /// <summary>The seed policy plus TRUNCATE and DROP TABLE without approval, so the runs here are direct.</summary>
    private static SqlPolicy Policy => new()
    {
        AllowedDatabases = ["t"],
        AllowedOperations = ["SELECT", "INSERT", "UPDATE", "DELETE", "CREATE TABLE", "TRUNCATE", "DROP TABLE"],
        RequiresApproval = ["ALTER TABLE"],
        Environment = "dev",
    };

    private ChangeRollback Rollback => Harness.Services.GetRequiredService<ChangeRollback>();

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Rose:PriorBackup:MaxRows"] = "5000" };

    protected override async Task SeedAsync()
    {
        await Harness.TargetExecAsync("""
            CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, qty int, price numeric(12,2), tags text[], note text);
            INSERT INTO items SELECT g, 'item ' || g, g % 17, g * 1.25, ARRAY['a' || g % 3], CASE WHEN g % 5 = 0 THEN NULL ELSE 'n' || g END
            FROM generate_series(1, 2000) g;
            """);
    }

    private Task<ExecutionOutcome> RunAsync(string sql) =>
        Harness.Execution.ExecuteAsync(new ExecutionRequest(PipelineHarness.Alice, Channel.Api, "t", sql, "test", Policy), null, CancellationToken.None);

    private Task<ExecutionOutcome> RollBackAsync(long auditId) =>
        Rollback.RollbackAsync(auditId, PipelineHarness.Alice, Channel.Api, Policy, "wrong rows", CancellationToken.None);

    [Fact]
    public async Task RollbackAsync_Delete1000ThenUpdate500_NewestFirst_RestoresChecksum()
    {
        var original = await Harness.TargetScalarAsync<string>(Checksum);

        var delete = await RunAsync("DELETE FROM items WHERE id % 2 = 0 RETURNING id");
        var update = await RunAsync("UPDATE items AS it SET qty = it.qty + 100, name = upper(name), note = NULL /* a comment */ WHERE it.id % 4 = 1 -- tail\n");

        Assert.Equal(OutcomeStatus.Succeeded, delete.Status);
        Assert.Equal(1000, delete.Result!.Statements[0].RowsAffected);
        Assert.Equal(OutcomeStatus.Succeeded, update.Status);
        Assert.Equal(500, update.Result!.Statements[0].RowsAffected);
        Assert.Equal(1000L, await Harness.TargetScalarAsync<long>($"SELECT count(*) FROM rose_backup.a{delete.AuditId}_0_0"));
        Assert.Equal(500L, await Harness.TargetScalarAsync<long>($"SELECT count(*) FROM rose_backup.a{update.AuditId}_0_0"));
        var recorded = Assert.Single(await Harness.Services.GetRequiredService<PriorBackupStore>().ForAuditAsync(delete.AuditId, CancellationToken.None));
        Assert.Equal(1000, recorded.Backup.Rows);
        Assert.Equal(["id"], recorded.Backup.KeyColumns);
        Assert.Contains($"rose_backup.a{delete.AuditId}_0_0", await Harness.ControlScalarAsync<string>($"SELECT statements::text FROM rose.audit_outcome WHERE audit_id = {delete.AuditId}"));

        var undoUpdate = await RollBackAsync(update.AuditId);
        var undoDelete = await RollBackAsync(delete.AuditId);

        Assert.Equal(OutcomeStatus.Succeeded, undoUpdate.Status);
        Assert.Equal(500, undoUpdate.Result!.TotalRowsAffected);
        Assert.Equal(OutcomeStatus.Succeeded, undoDelete.Status);
        Assert.Equal(1000, undoDelete.Result!.TotalRowsAffected);
        Assert.Equal(original, await Harness.TargetScalarAsync<string>(Checksum));
    }

    [Fact]
    public async Task RollbackAsync_Truncate_RestoresChecksum()
    {
        var original = await Harness.TargetScalarAsync<string>(Checksum);
        var truncate = await RunAsync("TRUNCATE items");
        Assert.Equal(OutcomeStatus.Succeeded, truncate.Status);
        Assert.Equal(0L, await Harness.TargetScalarAsync<long>("SELECT count(*) FROM items"));

        var undo = await RollBackAsync(truncate.AuditId);

        Assert.Equal(OutcomeStatus.Succeeded, undo.Status);
        Assert.Equal(original, await Harness.TargetScalarAsync<string>(Checksum));
    }

    [Fact]
    public async Task RollbackAsync_DropTable_RecreatesTableWithKeyAndData()
    {
        var original = await Harness.TargetScalarAsync<string>(Checksum);
        var drop = await RunAsync("DROP TABLE items");
        Assert.Equal(OutcomeStatus.Succeeded, drop.Status);
        Assert.Null(await Harness.TargetScalarAsync<string>("SELECT to_regclass('public.items')::text"));

        var undo = await RollBackAsync(drop.AuditId);

        Assert.Equal(OutcomeStatus.Succeeded, undo.Status);
        Assert.Equal(original, await Harness.TargetScalarAsync<string>(Checksum));
        Assert.Equal(1L, await Harness.TargetScalarAsync<long>("SELECT count(*) FROM pg_index WHERE indrelid = 'public.items'::regclass AND indisprimary"));
    }

    [Fact]
    public async Task RollbackAsync_RowsChangedSince_ConflictNamesRows()
    {
        var update = await RunAsync("UPDATE items SET qty = 0 WHERE id <= 10");
        await Harness.TargetExecAsync("UPDATE items SET note = 'someone else' WHERE id IN (3, 7)");
        var delete = await RunAsync("DELETE FROM items WHERE id BETWEEN 11 AND 20");
        await Harness.TargetExecAsync("INSERT INTO items (id, name) VALUES (15, 'back again')");

        var updateConflict = await Assert.ThrowsAsync<RollbackConflictException>(() => RollBackAsync(update.AuditId));
        var deleteConflict = await Assert.ThrowsAsync<RollbackConflictException>(() => RollBackAsync(delete.AuditId));

        Assert.Equal(["public.items id=3 (changed since)", "public.items id=7 (changed since)"], updateConflict.Rows.Order());
        Assert.Equal(["public.items id=15 (exists again)"], deleteConflict.Rows);
        Assert.Equal(0L, await Harness.TargetScalarAsync<long>("SELECT count(*) FROM items WHERE id <= 10 AND qty <> 0"));
    }

    [Fact]
    public async Task ExecuteAsync_BackupOverMaxRows_ParksAndChangesNothing()
    {
        await Harness.TargetExecAsync("CREATE TABLE big AS SELECT g AS id FROM generate_series(1, 5001) g");

        var outcome = await RunAsync("DELETE FROM big WHERE id > 0");

        Assert.Equal(OutcomeStatus.PendingApproval, outcome.Status);
        Assert.Contains(outcome.Reasons, r => r.Contains("Rose:PriorBackup:MaxRows", StringComparison.Ordinal));
        Assert.Equal(5001L, await Harness.TargetScalarAsync<long>("SELECT count(*) FROM big"));
        Assert.Equal(0L, await Harness.TargetScalarAsync<long>("SELECT count(*) FROM pg_tables WHERE schemaname = 'rose_backup'"));
    }

    [Fact]
    public async Task ExecuteAsync_BackupNotDerivable_ParksWithReason()
    {
        await Harness.TargetExecAsync("CREATE TABLE gone (id int PRIMARY KEY); INSERT INTO gone VALUES (1), (2)");

        var outcome = await RunAsync("DELETE FROM items USING gone WHERE items.id = gone.id");

        Assert.Equal(OutcomeStatus.PendingApproval, outcome.Status);
        Assert.Contains(outcome.Reasons, r => r.Contains("no prior backup can be taken", StringComparison.Ordinal) && r.Contains("USING", StringComparison.Ordinal));
        Assert.Equal(2000L, await Harness.TargetScalarAsync<long>("SELECT count(*) FROM items"));
    }

    [Fact]
    public async Task SweepAsync_ExpiredBackup_DroppedOnceAndRollbackRefused()
    {
        var delete = await RunAsync("DELETE FROM items WHERE id <= 5");
        await Harness.ControlScalarAsync<object>($"UPDATE rose.prior_backups SET expires_at = now() - interval '1 minute' WHERE audit_id = {delete.AuditId}");
        var cleanup = Harness.Services.GetRequiredService<PriorBackupCleanup>();

        var first = await cleanup.SweepAsync(CancellationToken.None);
        var second = await cleanup.SweepAsync(CancellationToken.None);

        Assert.Equal(1, first);
        Assert.Equal(0, second);
        Assert.Null(await Harness.TargetScalarAsync<string>($"SELECT to_regclass('rose_backup.a{delete.AuditId}_0_0')::text"));
        var refused = await Assert.ThrowsAsync<RollbackRefusedException>(() => RollBackAsync(delete.AuditId));
        Assert.Contains("RetentionDays", refused.Message, StringComparison.Ordinal);
    }
}
