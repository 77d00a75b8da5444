using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Rose.Core.Identity;
using Rose.Core.Undo;
using Rose.Tests.Shared;

namespace Rose.Integration.Tests.Undo;

/// <summary>Data snapshots: pg_dump -Fc with per-table checksums, restored into a new database and proven equal.</summary>
[Collection("postgres")]
public sealed class DataSnapshotTests(PostgresServerFixture pg) : IAsyncLifetime
{
    // Types whose text form depends on session settings (timestamptz, interval, float, bytea), NULLs,
    // quotes, a generated column, an identity, a partitioned table and a second schema.
    private const string Schema = """
        CREATE TABLE orders (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, customer text, total numeric(12,2),
            placed_at timestamptz, wait interval, ratio float8, payload jsonb, raw bytea, doubled numeric GENERATED ALWAYS AS (total * 2) STORED);
        INSERT INTO orders (customer, total, placed_at, wait, ratio, payload, raw)
        SELECT CASE WHEN g % 7 = 0 THEN NULL ELSE 'cust ''' || g || '"' END, g * 1.25, timestamptz '2026-01-01 10:00+02' + g * interval '1 hour',
               g * interval '90 seconds', g / 3.0, jsonb_build_object('n', g, 'tags', jsonb_build_array('a', g)), decode(md5(g::text), 'hex')
        FROM generate_series(1, 2000) g;
        CREATE SCHEMA sales;
        CREATE TABLE sales.events (at date NOT NULL, rose_row text) PARTITION BY RANGE (at);
        CREATE TABLE sales.events_2025 PARTITION OF sales.events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
        CREATE TABLE sales.events_2026 PARTITION OF sales.events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
        INSERT INTO sales.events SELECT date '2025-06-01' + g, 'e' || g FROM generate_series(1, 400) g;
        CREATE TABLE empty_one (id int);
        """;

    private PipelineHarness h = null!;

    public async Task InitializeAsync()
    {
        h = await PipelineHarness.CreateAsync(pg);
        await h.TargetExecAsync(Schema);
    }

    public async Task DisposeAsync()
    {
        // The harness's DataDir is shared by every test class; remove only this class's snapshots.
        foreach (var snapshot in taken)
        {
            foreach (var ext in new[] { ".dump", ".json" })
            {
                File.Delete(Path.Combine(Path.GetTempPath(), "snapshots", "t", "data", snapshot + ext));
            }
        }

        await h.DisposeAsync();
    }

    private readonly List<string> taken = [];

    private DataSnapshots Snapshots => h.Services.GetRequiredService<DataSnapshots>();

    private async Task<DataSnapshot> TakeAsync()
    {
        var snapshot = await Snapshots.TakeAsync("t", PipelineHarness.Alice, Channel.Api, PipelineHarness.SeedPolicy(), "test", CancellationToken.None);
        taken.Add(snapshot.Name);
        return snapshot;
    }

    [Fact]
    public async Task RestoreAsync_IntoNewDatabase_EqualsSourceByPerTableChecksums()
    {
        var before = await ContentsAsync(h.TargetConnection);
        var snapshot = await TakeAsync();

        // Changed after the snapshot: the restore must bring back the rows as they were when it was taken.
        await h.TargetExecAsync("DELETE FROM orders WHERE id <= 500; UPDATE sales.events SET rose_row = 'changed'");
        var restoredName = pg.ReserveDatabaseName("restored");
        var restore = await Snapshots.RestoreAsync("t", snapshot.Name, restoredName, PipelineHarness.Alice, Channel.Api, PipelineHarness.SeedPolicy(), "test", CancellationToken.None);

        Assert.True(restore.Verified, string.Join("; ", restore.Mismatches));
        Assert.Equal(restoredName, restore.RestoredDatabase);
        Assert.Equal(["public.empty_one", "public.orders", "sales.events_2025", "sales.events_2026"], snapshot.Tables.Select(t => t.QualifiedName));
        Assert.Equal(2400, snapshot.Rows);
        Assert.Equal(snapshot.Tables.Count, restore.Tables);

        // Independently of Rose's checksums: the restored rows, read in key order, are the source's rows before the change.
        var restoredConnection = new NpgsqlConnectionStringBuilder(h.TargetConnection) { Database = restoredName }.ConnectionString;
        Assert.Equal(before, await ContentsAsync(restoredConnection));
        Assert.Equal(1500L, await h.TargetScalarAsync<long>("SELECT count(*) FROM orders"));
        Assert.Contains(Snapshots.List("t"), s => s.Name == snapshot.Name && s.Bytes > 0 && s.Tables.Count == 4);
        Assert.Equal("succeeded", await h.ControlScalarAsync<string>($"SELECT status FROM rose.audit_outcome WHERE audit_id = {snapshot.AuditId}"));
        Assert.Equal("succeeded", await h.ControlScalarAsync<string>($"SELECT status FROM rose.audit_outcome WHERE audit_id = {restore.AuditId}"));
    }

    [Fact]
    public async Task RestoreAsync_OverTheLiveDatabase_IsRefused()
    {
        var snapshot = await TakeAsync();
        var live = new NpgsqlConnectionStringBuilder(h.TargetConnection).Database;

        var ex = await Assert.ThrowsAsync<DataSnapshotException>(() =>
            Snapshots.RestoreAsync("t", snapshot.Name, live, PipelineHarness.Alice, Channel.Api, PipelineHarness.SeedPolicy(), null, CancellationToken.None));

        Assert.Contains("never over", ex.Message, StringComparison.Ordinal);
        Assert.Equal(2000L, await h.TargetScalarAsync<long>("SELECT count(*) FROM orders"));
    }

    [Fact]
    public async Task TakeAsync_BadInput_ClearErrors()
    {
        var unknown = await Assert.ThrowsAsync<DataSnapshotException>(() =>
            Snapshots.TakeAsync("nope", PipelineHarness.Alice, Channel.Api, PipelineHarness.SeedPolicy(), null, CancellationToken.None));
        Assert.Contains("no target database named 'nope'", unknown.Message, StringComparison.Ordinal);

        var denied = await Assert.ThrowsAsync<DataSnapshotDeniedException>(() =>
            Snapshots.TakeAsync("t", PipelineHarness.Alice, Channel.Api, PipelineHarness.SeedPolicy() with { AllowedDatabases = ["other"] }, null, CancellationToken.None));
        Assert.Contains(denied.Reasons, r => r.Contains("allowed_databases", StringComparison.Ordinal));

        var missing = await Assert.ThrowsAsync<DataSnapshotException>(() =>
            Snapshots.RestoreAsync("t", "20990101T000000000Z", null, PipelineHarness.Alice, Channel.Api, PipelineHarness.SeedPolicy(), null, CancellationToken.None));
        Assert.Contains("no data snapshot named", missing.Message, StringComparison.Ordinal);

        await using var noDump = await PipelineHarness.AttachAsync(h, new Dictionary<string, string?> { ["Rose:Migrations:PgDumpPath"] = "/nonexistent/bin/pg_dump" });
        var tool = await Assert.ThrowsAsync<DataSnapshotException>(() => noDump.Services.GetRequiredService<DataSnapshots>()
            .TakeAsync("t", PipelineHarness.Alice, Channel.Api, PipelineHarness.SeedPolicy(), null, CancellationToken.None));
        Assert.Contains("Rose:Migrations:PgDumpPath", tool.Message, StringComparison.Ordinal);
    }

    /// <summary>Every row of the test's tables as text, in key order, read with plain Npgsql (not Rose's checksum code).</summary>
    private static async Task<string> ContentsAsync(string connectionString)
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        await using (var set = new NpgsqlCommand("SET TimeZone = 'UTC'", conn))
        {
            await set.ExecuteNonQueryAsync();
        }

        await using var cmd = new NpgsqlCommand("""
            SELECT (SELECT string_agg(o::text, E'\n' ORDER BY id) FROM orders o)
                || E'\n--\n' || (SELECT string_agg(e::text, E'\n' ORDER BY at) FROM sales.events e)
                || E'\n--\n' || (SELECT count(*) FROM empty_one)
            """, conn);
        return (string)(await cmd.ExecuteScalarAsync())!;
    }
}
