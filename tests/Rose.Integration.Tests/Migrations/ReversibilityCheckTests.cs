using Rose.Core.Migrations;
using Rose.Core.Migrations.Reversibility;
using Rose.Core.Policy;

namespace Rose.Integration.Tests.Migrations;

/// <summary>The reversibility check on a real server: up, undo, up on a scratch copy, schemas compared.</summary>
[Collection(PostgresSecondCollection.Name)]
public sealed class ReversibilityCheckTests(PostgresServerFixture pg) : PipelineTest(pg)
{
    // DROP and ALTER TABLE need approval under this policy: on the scratch copy they may run anyway.
    private static SqlPolicy Policy => PipelineHarness.SeedPolicy("SET", "CREATE VIEW", "CREATE FUNCTION", "CREATE TYPE");

    private Task<ReversibilityReport> CheckAsync(MigrationSet set, bool fromEmpty = false, SqlPolicy? policy = null) =>
        Harness.Services.GetRequiredService<ReversibilityChecker>().CheckAsync(
            new ReversibilityRequest("t", set, PipelineHarness.Alice, policy ?? Policy, "test", fromEmpty), null, CancellationToken.None);

    private async Task<long> ScratchDatabasesAsync()
    {
        await using var conn = new NpgsqlConnection(Harness.TargetConnection);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM pg_database WHERE datname LIKE 'rose\\_scratch\\_%'", conn);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task CheckAsync_UndoThatRestoresEverything_IsReversible_AndTargetIsUntouched()
    {
        var scratchBefore = await ScratchDatabasesAsync();
        var set = MigrationSet.From([
            ("V1__orders.sql", "CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, total numeric(10,2) NOT NULL CHECK (total >= 0)); CREATE INDEX orders_total ON orders (total)"),
            ("U1__orders.sql", "DROP TABLE orders"),
            ("V2__status.sql", "CREATE TYPE order_status AS ENUM ('new', 'paid'); ALTER TABLE orders ADD COLUMN status order_status NOT NULL DEFAULT 'new'; CREATE VIEW paid_orders AS SELECT id, total FROM orders WHERE status = 'paid'"),
            ("U2__status.sql", "DROP VIEW paid_orders; ALTER TABLE orders DROP COLUMN status; DROP TYPE order_status"),
        ]);

        var report = await CheckAsync(set);

        Assert.True(report.Ok, string.Join(" | ", report.Steps.Select(s => s.Message)));
        Assert.Equal(["1", "2"], report.Steps.Select(s => s.Version));
        Assert.All(report.Steps, s => Assert.Equal(ReversibilityVerdict.Reversible, s.Verdict));
        Assert.Equal(0L, await Harness.TargetScalarAsync<long>("SELECT count(*) FROM pg_class WHERE relname IN ('orders', 'paid_orders')"));
        Assert.Equal(0L, await Harness.TargetScalarAsync<long>("SELECT count(*) FROM pg_class WHERE relname = 'rose_schema_history'"));
        Assert.Equal(scratchBefore, await ScratchDatabasesAsync());
        Assert.Equal("succeeded", await Harness.ControlScalarAsync<string>($"SELECT status FROM rose.audit_outcome WHERE audit_id = {report.AuditId}"));
    }

    [Fact]
    public async Task CheckAsync_UndoThatRestoresTheWrongType_IsNotReversible_WithTheColumnNamed()
    {
        await Harness.TargetExecAsync("CREATE TABLE accounts (id int PRIMARY KEY, email varchar(100) NOT NULL)");
        var set = MigrationSet.From([
            ("V1__wider.sql", "ALTER TABLE accounts ALTER COLUMN email TYPE varchar(200)"),
            ("U1__wider.sql", "ALTER TABLE accounts ALTER COLUMN email TYPE text"),
        ]);

        var report = await CheckAsync(set);

        Assert.False(report.Ok);
        var step = Assert.Single(report.Steps);
        Assert.Equal(ReversibilityVerdict.NotReversible, step.Verdict);
        var difference = Assert.Single(step.UndoDifferences);
        Assert.Equal(SchemaChange.Changed, difference.Change);
        Assert.Equal("public.accounts.email", difference.Name);
        Assert.Contains("character varying(100)", difference.Expected, StringComparison.Ordinal);
        Assert.Contains("text", difference.Actual, StringComparison.Ordinal);
        Assert.Empty(step.RedoDifferences);
        // The scratch copy took the change, never the target.
        Assert.Equal("character varying(100)", await Harness.TargetScalarAsync<string>(
            "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'accounts'::regclass AND attname = 'email'"));
        Assert.Equal("failed", await Harness.ControlScalarAsync<string>($"SELECT status FROM rose.audit_outcome WHERE audit_id = {report.AuditId}"));
    }

    [Fact]
    public async Task CheckAsync_UndoThatLeavesAColumn_FailsOnTheSecondUp_AndStops()
    {
        await Harness.TargetExecAsync("CREATE TABLE items (id int PRIMARY KEY)");
        var set = MigrationSet.From([
            ("V1__price.sql", "ALTER TABLE items ADD COLUMN price int CONSTRAINT price_positive CHECK (price > 0)"),
            ("U1__price.sql", "ALTER TABLE items DROP CONSTRAINT price_positive"),
            ("V2__later.sql", "CREATE TABLE later (id int)"),
        ]);

        var report = await CheckAsync(set);

        var step = Assert.Single(report.Steps);
        Assert.Equal(ReversibilityVerdict.Failed, step.Verdict);
        Assert.Equal("42701", step.Error?.SqlState);
        Assert.Contains(step.UndoDifferences, d => d.Change == SchemaChange.Unexpected && d.Name == "public.items.price");
        Assert.Contains(report.Notes, n => n.Contains("stopped at version 1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CheckAsync_VersionWithoutUndo_IsReported_AndTheNextVersionIsStillChecked()
    {
        var set = MigrationSet.From([
            ("V1__a.sql", "CREATE TABLE a (id int)"),
            ("V2__b.sql", "CREATE TABLE b (id int, a_id int)"),
            ("U2__b.sql", "DROP TABLE b"),
        ]);

        var report = await CheckAsync(set);

        Assert.False(report.Ok);
        Assert.Equal([ReversibilityVerdict.NoUndo, ReversibilityVerdict.Reversible], report.Steps.Select(s => s.Verdict));
    }

    [Fact]
    public async Task CheckAsync_PendingOnly_RunsOnACopyOfTheTargetSchema()
    {
        var first = MigrationSet.From([("V1__base.sql", "CREATE TABLE base (id int PRIMARY KEY, name text)")]);
        var applied = await Harness.Services.GetRequiredService<MigrationRunner>().ApplyAsync(
            new MigrationRunRequest("t", first, PipelineHarness.Alice, Policy, "base"), null, CancellationToken.None);
        Assert.Equal(MigrationRunStatus.Succeeded, applied.Status);
        await Harness.TargetExecAsync("INSERT INTO base VALUES (1, 'kept')");
        var set = MigrationSet.From([
            ("V1__base.sql", "CREATE TABLE base (id int PRIMARY KEY, name text)"),
            ("U1__base.sql", "DROP TABLE base"),
            ("V2__index.sql", "CREATE UNIQUE INDEX base_name ON base (name)"),
            ("U2__index.sql", "DROP INDEX base_name"),
        ]);

        var pendingOnly = await CheckAsync(set);
        var everything = await CheckAsync(set, fromEmpty: true);

        Assert.True(pendingOnly.Ok, string.Join(" | ", pendingOnly.Steps.Select(s => s.Message)));
        Assert.Equal(["2"], pendingOnly.Steps.Select(s => s.Version));
        Assert.True(everything.Ok, string.Join(" | ", everything.Steps.Select(s => s.Message)));
        Assert.Equal(["1", "2"], everything.Steps.Select(s => s.Version));
        Assert.Equal(0L, await Harness.TargetScalarAsync<long>("SELECT count(*) FROM pg_class WHERE relname = 'base_name'"));
        Assert.Equal(1L, await Harness.TargetScalarAsync<long>("SELECT count(*) FROM base"));
    }

    [Fact]
    public async Task CheckAsync_ServerWideStatementNeedingApproval_IsRefused_AndNeverRuns()
    {
        var policy = Policy with { RequiresApproval = [.. Policy.RequiresApproval, "CREATE ROLE"] };
        var set = MigrationSet.From([
            ("V1__role.sql", "CREATE ROLE rose_reversibility_probe"),
            ("U1__role.sql", "DROP ROLE rose_reversibility_probe"),
        ]);

        var report = await CheckAsync(set, policy: policy);

        var step = Assert.Single(report.Steps);
        Assert.Equal(ReversibilityVerdict.Refused, step.Verdict);
        Assert.Contains("reaches beyond one database", step.Message, StringComparison.Ordinal);
        Assert.Equal(0L, await Harness.TargetScalarAsync<long>("SELECT count(*) FROM pg_roles WHERE rolname = 'rose_reversibility_probe'"));
    }

    [Fact]
    public async Task CheckAsync_StatementDeniedByPolicy_IsRefused()
    {
        var set = MigrationSet.From([("V1__fn.sql", "CREATE TABLE x (id int)"), ("U1__fn.sql", "DROP TABLE x; VACUUM")]);

        var report = await CheckAsync(set);

        Assert.Equal(ReversibilityVerdict.Refused, Assert.Single(report.Steps).Verdict);
        Assert.Contains("denied by your policy", report.Steps[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SchemaShape_SeesFunctionBodiesViewsAndDefaults()
    {
        var scratchSet = MigrationSet.From([
            ("V1__fn.sql", "CREATE FUNCTION add_one(i int) RETURNS int LANGUAGE sql AS 'SELECT i + 1'; CREATE TABLE d (id int DEFAULT 1)"),
            ("U1__fn.sql", "DROP FUNCTION add_one(int); DROP TABLE d"),
            ("V2__change.sql", "CREATE OR REPLACE FUNCTION add_one(i int) RETURNS int LANGUAGE sql AS 'SELECT i + 2'; ALTER TABLE d ALTER COLUMN id SET DEFAULT 2"),
            ("U2__change.sql", "CREATE OR REPLACE FUNCTION add_one(i int) RETURNS int LANGUAGE sql AS 'SELECT i + 3'; ALTER TABLE d ALTER COLUMN id SET DEFAULT 1"),
        ]);

        var report = await CheckAsync(scratchSet, policy: Policy with { AllowedOperations = [.. Policy.AllowedOperations, "CREATE FUNCTION", "ALTER TABLE"] });

        Assert.Equal(ReversibilityVerdict.Reversible, report.Steps[0].Verdict);
        Assert.Equal(ReversibilityVerdict.NotReversible, report.Steps[1].Verdict);
        var difference = Assert.Single(report.Steps[1].UndoDifferences);
        Assert.Equal("function", difference.Kind);
        Assert.Equal("public.add_one(i integer)", difference.Name);
    }
}
