using Rose.Core.Approvals;
using Rose.Core.Identity;
using Rose.Core.Undo;

namespace Rose.Integration.Tests.Undo;

/// <summary>Data snapshots: pg_dump -Fc with per-table checksums, restored into a new database and proven equal.</summary>
[Collection(PostgresSecondCollection.Name)]
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

    private async Task<DataSnapshot> TakeAsync(params string[] tables)
    {
        var snapshot = await Snapshots.TakeAsync("t", PipelineHarness.Alice, Channel.Api, PipelineHarness.SeedPolicy(), "test", tables, CancellationToken.None);
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
    public async Task RestoreInPlace_ParkedThenApproved_LiveDatabaseEqualsTheSnapshot()
    {
        var before = await ContentsAsync(h.TargetConnection);
        var snapshot = await TakeAsync();
        await h.TargetExecAsync("""
            DELETE FROM orders WHERE id <= 300; UPDATE orders SET total = 0 WHERE id > 1900; INSERT INTO orders (customer) VALUES ('late');
            UPDATE sales.events SET rose_row = 'changed'; INSERT INTO empty_one VALUES (1)
            """);

        var parked = await Snapshots.RequestRestoreInPlaceAsync("t", snapshot.Name, PipelineHarness.Alice, Channel.Api, PipelineHarness.SeedPolicy(), "undo the bad cleanup", CancellationToken.None);

        // Parked, not run: the live rows are still the changed ones, and the request names the snapshot and the database.
        Assert.Equal(1701L, await h.TargetScalarAsync<long>("SELECT count(*) FROM orders"));
        var approvals = h.Services.GetRequiredService<ApprovalService>();
        var request = await h.Services.GetRequiredService<ApprovalStore>().GetAsync(parked.ApprovalId, CancellationToken.None);
        Assert.Equal(ApprovalStatus.Pending, request!.Status);
        Assert.Contains(snapshot.Name, request.Sql, StringComparison.Ordinal);
        Assert.Contains("LIVE database " + new NpgsqlConnectionStringBuilder(h.TargetConnection).Database, request.Sql, StringComparison.Ordinal);
        Assert.Equal("pending_approval", await h.ControlScalarAsync<string>($"SELECT status FROM rose.audit_outcome WHERE audit_id = {parked.AuditId}"));
        Assert.False((await approvals.ApproveAsync(parked.ApprovalId, PipelineHarness.Alice, true, null, CancellationToken.None)).Done);

        var bob = new Actor("bob", "Bob", ActorKind.Human, "dev");
        var approved = await approvals.ApproveAsync(parked.ApprovalId, bob, true, "checked the snapshot", CancellationToken.None);

        Assert.True(approved.Done, approved.Message);
        Assert.Equal(ApprovalStatus.Executed, approved.Request!.Status);
        Assert.Equal(before, await ContentsAsync(h.TargetConnection));
        var audit = approved.Request.ExecutionAuditId!.Value;
        Assert.Equal("succeeded", await h.ControlScalarAsync<string>($"SELECT status FROM rose.audit_outcome WHERE audit_id = {audit}"));
        Assert.Equal("bob", await h.ControlScalarAsync<string>($"SELECT approved_by FROM rose.audit_log WHERE id = {audit} AND approval_id = {parked.ApprovalId} AND executor_id = 'alice'"));
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
            Snapshots.TakeAsync("nope", PipelineHarness.Alice, Channel.Api, PipelineHarness.SeedPolicy(), null, null, CancellationToken.None));
        Assert.Contains("no target database named 'nope'", unknown.Message, StringComparison.Ordinal);

        var denied = await Assert.ThrowsAsync<DataSnapshotDeniedException>(() =>
            Snapshots.TakeAsync("t", PipelineHarness.Alice, Channel.Api, PipelineHarness.SeedPolicy() with { AllowedDatabases = ["other"] }, null, null, CancellationToken.None));
        Assert.Contains(denied.Reasons, r => r.Contains("allowed_databases", StringComparison.Ordinal));

        var missing = await Assert.ThrowsAsync<DataSnapshotException>(() =>
            Snapshots.RestoreAsync("t", "20990101T000000000Z", null, PipelineHarness.Alice, Channel.Api, PipelineHarness.SeedPolicy(), null, CancellationToken.None));
        Assert.Contains("no data snapshot named", missing.Message, StringComparison.Ordinal);

        await using var noDump = await PipelineHarness.AttachAsync(h, new Dictionary<string, string?> { ["Rose:Migrations:PgDumpPath"] = "/nonexistent/bin/pg_dump" });
        var tool = await Assert.ThrowsAsync<DataSnapshotException>(() => noDump.Services.GetRequiredService<DataSnapshots>()
            .TakeAsync("t", PipelineHarness.Alice, Channel.Api, PipelineHarness.SeedPolicy(), null, null, CancellationToken.None));
        Assert.Contains("Rose:Migrations:PgDumpPath", tool.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TakeAsync_PgDumpOlderThanServer_RefusedNamingPgDumpPath()
    {
        // A stand-in pg_dump that reports an old major version and would fail loudly if it were ever asked to dump.
        var fake = Path.Combine(Directory.CreateTempSubdirectory("rose-old-pgdump").FullName, "pg_dump");
        await File.WriteAllTextAsync(fake, "#!/bin/sh\nif [ \"$1\" = --version ]; then echo 'pg_dump (PostgreSQL) 9.6.24'; exit 0; fi\necho 'must not dump' >&2; exit 3\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        try
        {
            await using var old = await PipelineHarness.AttachAsync(h, new Dictionary<string, string?> { ["Rose:Migrations:PgDumpPath"] = fake, ["Rose:DataDir"] = Path.GetTempPath() });

            var ex = await Assert.ThrowsAsync<DataSnapshotException>(() => old.Services.GetRequiredService<DataSnapshots>()
                .TakeAsync("t", PipelineHarness.Alice, Channel.Api, PipelineHarness.SeedPolicy(), "old tools", null, CancellationToken.None));

            Assert.Contains("pg_dump 9.6.24", ex.Message, StringComparison.Ordinal);
            Assert.Contains("is older than the target server", ex.Message, StringComparison.Ordinal);
            Assert.Contains("Set Rose:Migrations:PgDumpPath to pg_dump", ex.Message, StringComparison.Ordinal);
            Assert.Equal("failed", await h.ControlScalarAsync<string>(
                "SELECT o.status FROM rose.audit_outcome o JOIN rose.audit_log a ON a.id = o.audit_id WHERE a.reason = 'old tools (data snapshot)' ORDER BY a.id DESC LIMIT 1"));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(fake)!, recursive: true);
        }
    }

    [Fact]
    public async Task TakeAsync_ChosenTables_OnlyTheyAreDumpedChecksummedAndRestored()
    {
        var snapshot = await TakeAsync("orders", "sales.events");

        Assert.Equal(["public.orders", "sales.events"], snapshot.ChosenTables);
        Assert.Equal(["public.orders", "sales.events_2025", "sales.events_2026"], snapshot.Tables.Select(t => t.QualifiedName));
        Assert.Equal(2400, snapshot.Rows);
        Assert.Contains(Snapshots.List("t"), s => s.Name == snapshot.Name && s.IsPartial && s.Contents == "public.orders, sales.events");

        await h.TargetExecAsync("DELETE FROM orders WHERE id > 100");
        var restoredName = pg.ReserveDatabaseName("chosen");
        var restore = await Snapshots.RestoreAsync("t", snapshot.Name, restoredName, PipelineHarness.Alice, Channel.Api, PipelineHarness.SeedPolicy(), "test", CancellationToken.None);

        Assert.True(restore.Verified, string.Join("; ", restore.Mismatches));
        Assert.Equal(3, restore.Tables);

        // Progress counted from pg_dump's and pg_restore's --verbose lines: every table of the snapshot was seen.
        var jobs = Snapshots.Jobs("t");
        Assert.Contains(jobs, j => j is { Kind: "snapshot", State: "succeeded", TablesDone: 3, TablesTotal: 3 } && j.Snapshot == snapshot.Name);
        Assert.Contains(jobs, j => j is { Kind: "restore", State: "succeeded", TablesDone: 3, TablesTotal: 3, CurrentTable: null } && j.Snapshot == snapshot.Name);
        await using var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(h.TargetConnection) { Database = restoredName }.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT (SELECT count(*) FROM orders), (SELECT count(*) FROM sales.events), to_regclass('public.empty_one') IS NULL", conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal((2000L, 400L, true), (reader.GetInt64(0), reader.GetInt64(1), reader.GetBoolean(2)));
    }

    [Theory]
    [InlineData("no_such_table", "no table named no_such_table")]
    [InlineData("sales.events_2025", "choose its partitioned table sales.events")]
    [InlineData("orders; DROP TABLE orders", "is not a table name")]
    public async Task TakeAsync_BadChosenTable_RefusedNamingIt(string table, string expected)
    {
        var ex = await Assert.ThrowsAsync<DataSnapshotException>(() => TakeAsync(table));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.Equal(2000L, await h.TargetScalarAsync<long>("SELECT count(*) FROM orders"));
    }

    [Fact]
    public async Task SweepAsync_PastKeepAndRetentionDays_DeletedOnceAcrossInstances()
    {
        var dataDir = Directory.CreateTempSubdirectory("rose-snapshot-retention").FullName;
        try
        {
            var settings = new Dictionary<string, string?>
            {
                ["Rose:DataDir"] = dataDir,
                ["Rose:Migrations:DataSnapshots:Keep"] = "2",
                ["Rose:Migrations:DataSnapshots:RetentionDays"] = "7",
            };
            await using var one = await PipelineHarness.AttachAsync(h, settings);
            await using var two = await PipelineHarness.AttachAsync(h, settings);
            var snapshots = one.Services.GetRequiredService<DataSnapshots>();
            var names = new List<string>();
            for (var i = 0; i < 3; i++)
            {
                names.Add((await snapshots.TakeAsync("t", PipelineHarness.Alice, Channel.Api, PipelineHarness.SeedPolicy(), "retention", ["empty_one"], CancellationToken.None)).Name);
            }

            // The middle one is made 8 days old in its manifest: past RetentionDays though within Keep.
            var manifest = Path.Combine(dataDir, "snapshots", "t", "data", names[1] + ".json");
            var json = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(manifest))!;
            json["createdAt"] = DateTimeOffset.UtcNow.AddDays(-8);
            await File.WriteAllTextAsync(manifest, json.ToJsonString());

            // While another instance holds the sweep, this one does nothing.
            await using (var holder = new NpgsqlConnection(h.ControlConnection))
            {
                await holder.OpenAsync();
                await using var hold = new NpgsqlCommand($"SELECT pg_advisory_lock({DataSnapshotCleanup.AdvisoryLockKey})", holder);
                await hold.ExecuteScalarAsync();
                Assert.Null(await two.Services.GetRequiredService<DataSnapshotCleanup>().SweepAsync(CancellationToken.None));

                // Released explicitly: a pooled connection would keep its session lock after Dispose.
                await using var release = new NpgsqlCommand($"SELECT pg_advisory_unlock({DataSnapshotCleanup.AdvisoryLockKey})", holder);
                await release.ExecuteScalarAsync();
            }

            var first = await one.Services.GetRequiredService<DataSnapshotCleanup>().SweepAsync(CancellationToken.None);
            var second = await two.Services.GetRequiredService<DataSnapshotCleanup>().SweepAsync(CancellationToken.None);

            // Newest first: names[2] kept, names[1] past RetentionDays, names[0] past Keep (the third newest of 2 kept).
            Assert.Equal([$"t/{names[1]}", $"t/{names[0]}"], first);
            Assert.Empty(second!);
            Assert.Equal([names[2]], snapshots.List("t").Select(s => s.Name));
            Assert.False(File.Exists(Path.Combine(dataDir, "snapshots", "t", "data", names[0] + ".dump")));
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
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
