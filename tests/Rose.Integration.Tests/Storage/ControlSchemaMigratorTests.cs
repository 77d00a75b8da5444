using Microsoft.Extensions.Logging.Abstractions;
using Rose.Core.Control;

namespace Rose.Integration.Tests.Storage;

public sealed class ControlSchemaMigratorTests(PostgresServerFixture pg) : IClassFixture<PostgresServerFixture>
{
    private static ControlSchemaMigrator NewMigrator() => new(NullLogger<ControlSchemaMigrator>.Instance);

    [Fact]
    public async Task MigrateAsync_ConcurrentCallsOnFreshDatabase_AppliesEachVersionOnce()
    {
        var cs = await pg.CreateDatabaseAsync("migrate_race");
        // Separate data sources stand for separate Rose instances starting together.
        var sources = Enumerable.Range(0, 4).Select(_ => NpgsqlDataSource.Create(cs)).ToList();
        try
        {
            var results = await Task.WhenAll(sources.Select(s => NewMigrator().MigrateAsync(s, CancellationToken.None)));

            var expected = NewMigrator().Scripts.Count;
            Assert.True(expected >= 1);
            Assert.Equal(expected, results.Sum());
            Assert.Equal(1, results.Count(r => r == expected));
            var rows = await QueryAsync(sources[0], "SELECT version, checksum FROM rose.schema_version ORDER BY version");
            Assert.Equal(NewMigrator().Scripts.Select(s => s.Version), rows.Select(r => (int)r[0]));
            Assert.Equal(NewMigrator().Scripts.Select(s => s.Checksum), rows.Select(r => (string)r[1]));
        }
        finally
        {
            foreach (var s in sources)
            {
                await s.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task MigrateAsync_SecondRun_AppliesNothing()
    {
        await using var db = NpgsqlDataSource.Create(await pg.CreateDatabaseAsync("migrate_twice"));

        var first = await NewMigrator().MigrateAsync(db, CancellationToken.None);
        var second = await NewMigrator().MigrateAsync(db, CancellationToken.None);

        Assert.Equal(NewMigrator().Scripts.Count, first);
        Assert.Equal(0, second);
        Assert.True(await NewMigrator().IsCurrentAsync(db, CancellationToken.None));
    }

    [Fact]
    public async Task IsCurrentAsync_FreshDatabase_False()
    {
        await using var db = NpgsqlDataSource.Create(await pg.CreateDatabaseAsync("migrate_fresh"));

        Assert.False(await NewMigrator().IsCurrentAsync(db, CancellationToken.None));
    }

    [Fact]
    public async Task MigrateAsync_AppliedChecksumChanged_ThrowsDrift()
    {
        await using var db = NpgsqlDataSource.Create(await pg.CreateDatabaseAsync("migrate_drift"));
        await NewMigrator().MigrateAsync(db, CancellationToken.None);
        await ExecuteAsync(db, "UPDATE rose.schema_version SET checksum = 'edited' WHERE version = 1");

        var ex = await Assert.ThrowsAsync<SchemaDriftException>(() => NewMigrator().MigrateAsync(db, CancellationToken.None));

        Assert.Contains("V001__control_schema", ex.Message, StringComparison.Ordinal);
        Assert.False(await NewMigrator().IsCurrentAsync(db, CancellationToken.None));
    }

    // SHA-256 of V020__audit_browse_indexes.sql as shipped until 2026-12 (with its two per-column
    // trigram indexes), taken from that text the way SchemaScript computes it: installs carry it.
    private const string V020ShippedChecksum = "9b0af0fa924bed46a0dfde401f7f67565dfc473fc2adf13c4e3adae4bad985c9";

    [Fact]
    public async Task MigrateAsync_V020AppliedWithSupersededChecksum_StartsAndIsCurrent()
    {
        await using var db = NpgsqlDataSource.Create(await pg.CreateDatabaseAsync("migrate_v020_old"));
        await NewMigrator().MigrateAsync(db, CancellationToken.None);
        await ExecuteAsync(db, $"UPDATE rose.schema_version SET checksum = '{V020ShippedChecksum}' WHERE version = 20");

        Assert.Equal(0, await NewMigrator().MigrateAsync(db, CancellationToken.None));
        Assert.True(await NewMigrator().IsCurrentAsync(db, CancellationToken.None));
    }

    [Fact]
    public async Task MigrateAsync_V020AppliedWithUnlistedChecksum_ThrowsDrift()
    {
        await using var db = NpgsqlDataSource.Create(await pg.CreateDatabaseAsync("migrate_v020_edit"));
        await NewMigrator().MigrateAsync(db, CancellationToken.None);
        await ExecuteAsync(db, "UPDATE rose.schema_version SET checksum = 'edited' WHERE version = 20");

        var ex = await Assert.ThrowsAsync<SchemaDriftException>(() => NewMigrator().MigrateAsync(db, CancellationToken.None));

        Assert.Contains("V020__audit_browse_indexes was applied with checksum edited", ex.Message, StringComparison.Ordinal);
        Assert.False(await NewMigrator().IsCurrentAsync(db, CancellationToken.None));
    }

    [Fact]
    public async Task MigrateAsync_FreshInstall_HasTheFirstTwoTextTiersAndNoWholeLogTrigramIndex()
    {
        await using var db = NpgsqlDataSource.Create(await pg.CreateDatabaseAsync("migrate_trgm"));
        await NewMigrator().MigrateAsync(db, CancellationToken.None);

        var indexes = await QueryAsync(db, """
            SELECT indexname, indexdef FROM pg_indexes
            WHERE schemaname = 'rose' AND tablename = 'audit_log' AND (indexname LIKE '%trgm%' OR indexdef LIKE '%gin_trgm_ops%') ORDER BY 1
            """);

        // V266: one trigram index per 1,000,000 ids, the empty log's tier and the one after it; V263's whole-log index is gone.
        Assert.Equal(["audit_log_text_w1000000_t0", "audit_log_text_w1000000_t1"], indexes.Select(r => (string)r[0]));
        Assert.Contains("WHERE ((id >= 1000000) AND (id < 2000000))", (string)indexes[1][1], StringComparison.Ordinal);
        Assert.Contains("search_folded", (string)indexes[1][1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task MigrateAsync_DatabaseHasUnknownVersion_ThrowsDrift()
    {
        await using var db = NpgsqlDataSource.Create(await pg.CreateDatabaseAsync("migrate_newer"));
        await NewMigrator().MigrateAsync(db, CancellationToken.None);
        await ExecuteAsync(db, "INSERT INTO rose.schema_version (version, name, checksum) VALUES (999, 'from_the_future', 'x')");

        var ex = await Assert.ThrowsAsync<SchemaDriftException>(() => NewMigrator().MigrateAsync(db, CancellationToken.None));

        Assert.Contains("999", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MigrateAsync_FailingVersion_RollsBackOnlyThatVersion()
    {
        await using var db = NpgsqlDataSource.Create(await pg.CreateDatabaseAsync("migrate_fail"));
        var scripts = new[]
        {
            new SchemaScript(1, "first", "CREATE TABLE rose_t1 (id int PRIMARY KEY);"),
            new SchemaScript(2, "broken", "CREATE TABLE rose_t2 (id int); SELECT * FROM no_such_table;"),
        };
        var migrator = new ControlSchemaMigrator(scripts, NullLogger<ControlSchemaMigrator>.Instance);

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => migrator.MigrateAsync(db, CancellationToken.None));

        Assert.Contains("V002__broken", ex.Message, StringComparison.Ordinal);
        var versions = await QueryAsync(db, "SELECT version FROM rose.schema_version ORDER BY version");
        Assert.Equal([1], versions.Select(r => (int)r[0]));
        var t2 = await QueryAsync(db, "SELECT to_regclass('rose_t2') IS NULL");
        Assert.True((bool)t2[0][0]);
    }

    [Fact]
    public async Task MigrateAsync_ControlSchema_CreatesExpectedTables()
    {
        await using var db = NpgsqlDataSource.Create(await pg.CreateDatabaseAsync("migrate_tables"));
        await NewMigrator().MigrateAsync(db, CancellationToken.None);

        var tables = await QueryAsync(db, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'rose' ORDER BY 1");

        var names = tables.Select(r => (string)r[0]).ToList();
        foreach (var expected in new[] { "audit_log", "audit_outcome", "approvals", "devlogs", "agents", "api_keys", "targets", "schema_version", "audit_entries" })
        {
            Assert.Contains(expected, names);
        }
    }

    internal static async Task ExecuteAsync(NpgsqlDataSource db, string sql)
    {
        await using var cmd = db.CreateCommand(sql);
        await cmd.ExecuteNonQueryAsync();
    }

    internal static async Task<List<object[]>> QueryAsync(NpgsqlDataSource db, string sql)
    {
        await using var cmd = db.CreateCommand(sql);
        await using var reader = await cmd.ExecuteReaderAsync();
        var rows = new List<object[]>();
        while (await reader.ReadAsync())
        {
            var row = new object[reader.FieldCount];
            reader.GetValues(row);
            rows.Add(row);
        }
        return rows;
    }
}
