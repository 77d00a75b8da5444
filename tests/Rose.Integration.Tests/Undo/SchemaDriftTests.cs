using Rose.Core.Migrations;
using Rose.Core.Migrations.Reversibility;
using Rose.Core.Policy;
using Rose.Core.Undo;

namespace Rose.Integration.Tests.Undo;

/// <summary>Drift: objects changed on the target outside its migrations, found by replaying them on a scratch database.</summary>
[Collection(PostgresSecondCollection.Name)]
public sealed class SchemaDriftTests(PostgresServerFixture pg) : PipelineTest(pg)
{
    private static readonly SqlPolicy Policy = PipelineHarness.SeedPolicy("ALTER TABLE", "CREATE VIEW");
    private static readonly MigrationSet Set = MigrationSet.From([
        ("V1__orders.sql", "CREATE TABLE orders (id int PRIMARY KEY, total numeric(12,2) NOT NULL);"),
        ("V2__orders_index.sql", "CREATE INDEX orders_total_idx ON orders (total);"),
    ]);

    protected override async Task SeedAsync()
    {
        var applied = await Harness.Services.GetRequiredService<MigrationRunner>().ApplyAsync(
            new MigrationRunRequest("t", Set, PipelineHarness.Alice, Policy with { RequiresApproval = [] }, "drift test", false, false), null, CancellationToken.None);
        Assert.Equal(MigrationRunStatus.Succeeded, applied.Status);
    }

    private Task<DriftReport> CheckAsync() =>
        Harness.Services.GetRequiredService<SchemaDrift>().CheckAsync("t", [.. Set.Scripts.Select(s => (s.FileName, s.Sql))], PipelineHarness.Alice, Policy, CancellationToken.None);

    [Fact]
    public async Task CheckAsync_SchemaAsMigrated_NoDrift_AndBackupsNeverCount()
    {
        await Harness.RunAsync("DELETE FROM orders WHERE id = 1");
        await Harness.TargetExecAsync("CREATE SCHEMA IF NOT EXISTS rose_backup; CREATE TABLE rose_backup.a1_0_0 (id int)");

        var report = await CheckAsync();

        Assert.False(report.HasDrift, string.Join("; ", report.Differences));
        Assert.Equal(2, report.Replayed);
    }

    [Fact]
    public async Task CheckAsync_ColumnAddedOutsideRose_IsDrift()
    {
        await Harness.TargetExecAsync("ALTER TABLE orders ADD COLUMN note text; DROP INDEX orders_total_idx");

        var report = await CheckAsync();

        Assert.True(report.HasDrift);
        Assert.Contains(report.Differences, d => d.Change == SchemaChange.Unexpected && d.Name.Contains("note", StringComparison.Ordinal));
        Assert.Contains(report.Differences, d => d.Change == SchemaChange.Missing && d.Name.Contains("orders_total_idx", StringComparison.Ordinal));
        Assert.Equal("succeeded", await Harness.ControlScalarAsync<string>($"SELECT status FROM rose.audit_outcome WHERE audit_id = {report.AuditId}"));
    }
}
