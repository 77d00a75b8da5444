using Rose.Core.Migrations;
using Rose.Core.Migrations.Reversibility;
using Rose.Core.Policy;
using Rose.Core.Undo;
using Rose.Core.Validation;

namespace Rose.Integration.Tests.Undo;

/// <summary>
/// Drift counts from the baseline the first migration run records (objects a target had before Rose
/// managed it are not drift), and shows in validation runs as schema_drift findings.
/// </summary>
[Collection(PostgresSecondCollection.Name)]
public sealed class DriftBaselineTests(PostgresServerFixture pg) : IAsyncLifetime
{
    private static readonly SqlPolicy Policy = PipelineHarness.SeedPolicy("ALTER TABLE") with { RequiresApproval = [] };
    private readonly string folder = Directory.CreateTempSubdirectory("rose-drift-baseline").FullName;
    private PipelineHarness h = null!;

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(Path.Combine(folder, "V1__shipments.sql"), "CREATE TABLE shipments (id int PRIMARY KEY, weight numeric(8,3) NOT NULL);");
        h = await PipelineHarness.CreateAsync(pg, t => t.MigrationsPath = folder);

        // What the target held before Rose managed it: not drift.
        await h.TargetExecAsync("CREATE TABLE legacy_customers (id int PRIMARY KEY, name text); CREATE INDEX legacy_customers_name ON legacy_customers (name);");
        var set = await MigrationSet.FromFolderAsync(folder, CancellationToken.None);
        var applied = await h.Services.GetRequiredService<MigrationRunner>().ApplyAsync(
            new MigrationRunRequest("t", set, PipelineHarness.Alice, Policy, "baseline test", false, false), null, CancellationToken.None);
        Assert.Equal(MigrationRunStatus.Succeeded, applied.Status);
        Assert.Contains(applied.Notes!, n => n.Contains("drift baseline", StringComparison.Ordinal));
    }

    public async Task DisposeAsync()
    {
        await h.DisposeAsync();
        Directory.Delete(folder, recursive: true);
    }

    private Task<DriftReport> CheckAsync() =>
        h.Services.GetRequiredService<SchemaDrift>().CheckAsync("t", null, PipelineHarness.Alice, Policy, CancellationToken.None);

    [Fact]
    public async Task CheckAsync_ObjectsFromBeforeTheFirstApply_AreNotDrift_ButLaterChangesToThemAre()
    {
        var clean = await CheckAsync();
        Assert.False(clean.HasDrift, string.Join("; ", clean.Differences));
        Assert.Contains(clean.Notes, n => n.Contains("baseline", StringComparison.Ordinal));

        await h.TargetExecAsync("ALTER TABLE legacy_customers ADD COLUMN sneaked_in text");
        var drifted = await CheckAsync();

        Assert.Contains(drifted.Differences, d => d.Change == SchemaChange.Unexpected && d.Name.Contains("sneaked_in", StringComparison.Ordinal));
        Assert.All(drifted.Differences, d => Assert.Contains("legacy_customers", d.Name, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ValidationRun_ColumnAddedOutsideRose_IsASchemaDriftFinding()
    {
        await h.TargetExecAsync("ALTER TABLE shipments ADD COLUMN note text");

        var report = await h.Services.GetRequiredService<ValidationRunner>().RunAsync("t", PipelineHarness.Alice, CancellationToken.None);

        Assert.Contains(report.Findings, f => f.Rule == "schema_drift" && f.Object.Contains("note", StringComparison.Ordinal)
            && f.Detail.Contains("added outside the migrations", StringComparison.Ordinal));
        Assert.DoesNotContain(report.Findings, f => f.Rule == "schema_drift" && f.Object.Contains("legacy", StringComparison.Ordinal));
    }
}
