using Rose.Core.Advisor;
using Rose.Core.Identity;
using Rose.Core.Migrations;
using Rose.Core.Migrations.Lint;

namespace Rose.Integration.Tests.Advisor;

/// <summary>A recommendation written as the target's next migration: named and numbered like the folder's files, lint-clean, audited, never twice.</summary>
[Collection("postgres")]
public sealed class IndexMigrationWriterTests(PostgresServerFixture pg) : IAsyncLifetime
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "rose-advisor-migrations-" + Guid.NewGuid().ToString("N")[..8]);
    /// <summary>The target with a migrations folder and a seeded table, made only for the test that writes into it.</summary>
    private LazyHarness withFolder = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, "V1__create_events.sql"), "CREATE TABLE events (id bigint PRIMARY KEY, kind text NOT NULL);");
        await File.WriteAllTextAsync(Path.Combine(folder, "U1__create_events.sql"), "DROP TABLE events;");
        await File.WriteAllTextAsync(Path.Combine(folder, "V3.1__add_note.sql"), "ALTER TABLE events ADD COLUMN note text;");
        withFolder = new LazyHarness(async () =>
        {
            var created = await PipelineHarness.CreateAsync(pg, t => t.MigrationsPath = folder);
            await created.TargetExecAsync("""
                CREATE TABLE events (id bigint PRIMARY KEY, kind text NOT NULL, note text);
                INSERT INTO events SELECT g, 'k' || (g % 5000), NULL FROM generate_series(1, 50000) g;
                ANALYZE events;
                """);
            return created;
        });
    }

    public async Task DisposeAsync()
    {
        await withFolder.DisposeAsync();
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task Recommendation_IsWrittenAsTheNextVersionWithItsUndo_LintClean_AndOnlyOnce()
    {
        var h = await withFolder.GetAsync();
        var advice = await h.Services.GetRequiredService<IndexAdvisor>().ForQueriesAsync(PipelineHarness.Alice, Channel.Workbench, "t",
            ["SELECT id FROM events WHERE kind = 'k42'"], CancellationToken.None);
        var recommendation = Assert.Single(advice.Recommendations);
        var writer = h.Services.GetRequiredService<IndexMigrationWriter>();

        var file = await writer.WriteAsync(PipelineHarness.Alice, Channel.Workbench, "t", recommendation, CancellationToken.None);

        Assert.Equal("V4__add_index_events_kind.sql", file.FileName);
        Assert.Equal("U4__add_index_events_kind.sql", file.UndoFileName);
        var set = await MigrationSet.FromFolderAsync(folder, CancellationToken.None);
        var script = Assert.Single(set.Versioned, s => s.FileName == file.FileName);
        Assert.Contains("CREATE INDEX CONCURRENTLY IF NOT EXISTS \"events_kind_idx\" ON \"public\".\"events\" (\"kind\");", script.Sql, StringComparison.Ordinal);
        Assert.Contains("-- Index proposed by the Rose performance advisor", script.Sql, StringComparison.Ordinal);
        Assert.Contains("DROP INDEX CONCURRENTLY IF EXISTS \"public\".\"events_kind_idx\";", set.UndoFor(script.Version!)!.Sql, StringComparison.Ordinal);
        Assert.DoesNotContain(file.Findings, f => f.Severity >= LintSeverity.Warning);
        Assert.Equal(1L, await h.ControlScalarAsync<long>(
            "SELECT count(*) FROM rose.audit_log WHERE 'WRITE MIGRATION' = ANY (operations) AND reason LIKE '%V4__add_index_events_kind.sql%'"));

        var again = await Assert.ThrowsAsync<AdvisorRequestException>(() =>
            writer.WriteAsync(PipelineHarness.Alice, Channel.Workbench, "t", recommendation, CancellationToken.None));
        Assert.Contains("V4__add_index_events_kind.sql already creates events_kind_idx", again.Message, StringComparison.Ordinal);
        Assert.Equal(5, Directory.GetFiles(folder, "*.sql").Length);
    }

    [Fact]
    public async Task TargetWithoutAFolder_IsRefusedNamingTheConfigKey()
    {
        await using var other = await PipelineHarness.CreateAsync(pg);
        var recommendation = new IndexRecommendation("public", "events", ["kind"], "CREATE INDEX CONCURRENTLY \"events_kind_idx\" ON \"public\".\"events\" (\"kind\")",
            null, null, [], false, "", "events_kind_idx");

        var error = await Assert.ThrowsAsync<AdvisorRequestException>(() => other.Services.GetRequiredService<IndexMigrationWriter>()
            .WriteAsync(PipelineHarness.Alice, Channel.Workbench, "t", recommendation, CancellationToken.None));

        Assert.Contains("Rose:Targets:t:MigrationsPath", error.Message, StringComparison.Ordinal);
    }
}
