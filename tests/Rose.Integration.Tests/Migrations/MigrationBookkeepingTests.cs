using System.Text.Json;
using Rose.Core.Execution;
using Rose.Core.Migrations;

namespace Rose.Integration.Tests.Migrations;

/// <summary>
/// The runner's bookkeeping after it was cut to fewer round trips: row counts of every table in one
/// query, the history row sent with COMMIT, and a single-transaction run's history rows and devlogs each
/// in one statement. What is written must be what was written one by one before.
/// </summary>
[Collection(PostgresSecondCollection.Name)]
public sealed class MigrationBookkeepingTests(PostgresServerFixture pg) : PipelineTest(pg)
{
    protected override async Task SeedAsync()
    {
        await Harness.TargetExecAsync(
            "CREATE SCHEMA other; CREATE TABLE other.kept (id int); INSERT INTO other.kept SELECT generate_series(1, 4); " +
            "CREATE TABLE \"Odd \"\"Name\"\"\" (id int); INSERT INTO \"Odd \"\"Name\"\"\" VALUES (1), (2);");
    }

    private MigrationRunner Runner => Harness.Services.GetRequiredService<MigrationRunner>();

    private Task<MigrationRunResult> ApplyAsync(MigrationSet set, bool single) =>
        Runner.ApplyAsync(new MigrationRunRequest("t", set, PipelineHarness.Alice, MigrationRunnerTests.Policy, "bookkeeping", SingleTransaction: single),
            null, CancellationToken.None);

    private async Task<TargetSession> SessionAsync()
    {
        var target = Harness.Services.GetRequiredService<MigrationPlanner>().Target("t");
        return await Harness.Services.GetRequiredService<SqlExecutor>().OpenSessionAsync(target,
            new ExecutionLimits(0, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5)), CancellationToken.None);
    }

    [Fact]
    public async Task Counts_OneQuery_ExactForQuotedAndQualifiedNames_MissingLeftOut()
    {
        await using var session = await SessionAsync();

        var outside = await MigrationRowCounts.CountAsync(session, ["other.kept", "\"Odd \"\"Name\"\"\"", "no_such_table", "other.kept"], CancellationToken.None);
        await session.BeginAsync(CancellationToken.None);
        await Harness.TargetExecAsync("INSERT INTO other.kept VALUES (5)");
        var inside = await MigrationRowCounts.CountAsync(session, ["other.kept"], CancellationToken.None);
        await session.RollbackAsync();

        Assert.Equal(new Dictionary<string, long> { ["other.kept"] = 4, ["\"Odd \"\"Name\"\"\""] = 2 }, outside);
        Assert.Equal(5, inside["other.kept"]);
    }

    [Fact]
    public async Task Counts_ANameTheServerRefuses_OutsideATransaction_OnlyThatOneIsLeftOut_InsideItFails()
    {
        await using var session = await SessionAsync();

        // to_regclass raises for a cross-database name: the one-query count fails and each name is counted alone.
        var outside = await MigrationRowCounts.CountAsync(session, ["elsewhere.public.t", "other.kept"], CancellationToken.None);
        await session.BeginAsync(CancellationToken.None);
        await Assert.ThrowsAsync<Npgsql.PostgresException>(() => MigrationRowCounts.CountAsync(session, ["elsewhere.public.t", "other.kept"], CancellationToken.None));
        await session.RollbackAsync();

        Assert.Equal(new Dictionary<string, long> { ["other.kept"] = 4 }, outside);
    }

    [Fact]
    public async Task EachInItsOwnTransaction_HistoryRowCommitsWithTheMigration_CountsPerMigration()
    {
        var result = await ApplyAsync(MigrationSet.From([
            ("V1__create.sql", "CREATE TABLE bk_a (id int); INSERT INTO bk_a VALUES (1), (2), (3)"),
            ("V2__fill.sql", "INSERT INTO other.kept VALUES (10); INSERT INTO bk_a VALUES (4)"),
        ]), single: false);

        Assert.Equal(MigrationRunStatus.Succeeded, result.Status);
        Assert.Equal(new Dictionary<string, long> { ["bk_a"] = 3 }, result.Applied[0].PostCounts);
        Assert.Empty(result.Applied[0].PreCounts);
        Assert.Equal(new Dictionary<string, long> { ["other.kept"] = 4, ["bk_a"] = 3 }, result.Applied[1].PreCounts);
        Assert.Equal(new Dictionary<string, long> { ["other.kept"] = 5, ["bk_a"] = 4 }, result.Applied[1].PostCounts);
        Assert.Equal("1,2", await Harness.TargetScalarAsync<string>("SELECT string_agg(version, ',' ORDER BY installed_rank) FROM rose_schema_history WHERE success"));
        Assert.NotEqual(result.Applied[0].AuditId, result.Applied[1].AuditId);
    }

    [Fact]
    public async Task EachInItsOwnTransaction_FailurePartWay_CommittedOnesKeepTheirDevlogsUnderTheirOwnAuditRows()
    {
        var result = await ApplyAsync(MigrationSet.From([
            ("V1__create.sql", "CREATE TABLE bk_f (id int); INSERT INTO bk_f VALUES (1)"),
            ("V2__other.sql", "INSERT INTO other.kept VALUES (12)"),
            ("V3__bad.sql", "INSERT INTO bk_f VALUES (2); INSERT INTO bk_f VALUES ('not a number')"),
            ("V4__never.sql", "INSERT INTO bk_f VALUES (3)"),
        ]), single: false);

        Assert.Equal(MigrationRunStatus.Failed, result.Status);
        Assert.Equal(3, result.Applied.Count);
        // One query counts a migration's tables after it and the next one's before it: each still gets its own.
        Assert.Equal(new Dictionary<string, long> { ["bk_f"] = 1 }, result.Applied[0].PostCounts);
        Assert.Equal(new Dictionary<string, long> { ["other.kept"] = 4 }, result.Applied[1].PreCounts);
        Assert.Equal(new Dictionary<string, long> { ["other.kept"] = 5 }, result.Applied[1].PostCounts);
        Assert.Equal(new Dictionary<string, long> { ["bk_f"] = 1 }, result.Applied[2].PreCounts);
        Assert.Empty(result.Applied[2].PostCounts);
        Assert.Null(result.Applied[2].DevlogId);
        Assert.Equal(1, await Harness.TargetScalarAsync<long>("SELECT count(*) FROM bk_f"));

        // The devlogs went out together, each under the audit row of its own migration, with its own counts.
        for (var i = 0; i < 2; i++)
        {
            var applied = result.Applied[i];
            Assert.Equal(applied.AuditId, await Harness.ControlScalarAsync<long>($"SELECT audit_id FROM rose.devlogs WHERE id = {applied.DevlogId!.Value}"));
            using var doc = JsonDocument.Parse((await Harness.ControlScalarAsync<string>($"SELECT metadata::text FROM rose.devlogs WHERE id = {applied.DevlogId.Value}"))!);
            Assert.Equal(applied.FileName, doc.RootElement.GetProperty("migration").GetProperty("file").GetString());
            Assert.Equal(applied.PreCounts.Values.Sum(), doc.RootElement.GetProperty("validation").GetProperty("pre_count").GetInt64());
            Assert.Equal(applied.PostCounts.Values.Sum(), doc.RootElement.GetProperty("validation").GetProperty("post_count").GetInt64());
            Assert.Equal("succeeded", await Harness.ControlScalarAsync<string>($"SELECT status FROM rose.audit_outcome WHERE audit_id = {applied.AuditId}"));
        }

        Assert.Equal(0, await Harness.ControlScalarAsync<long>($"SELECT count(*) FROM rose.devlogs WHERE audit_id = {result.Applied[2].AuditId}"));
        Assert.Equal("failed", await Harness.ControlScalarAsync<string>($"SELECT status FROM rose.audit_outcome WHERE audit_id = {result.Applied[2].AuditId}"));
    }

    [Fact]
    public async Task SingleTransaction_HistoryRowsInOrder_OneDevlogPerMigrationWithItsCounts()
    {
        var result = await ApplyAsync(MigrationSet.From([
            ("V1__create.sql", "CREATE TABLE bk_s (id int); INSERT INTO bk_s VALUES (1)"),
            ("V1.5__more.sql", "INSERT INTO bk_s VALUES (2), (3)"),
            ("V2__other.sql", "INSERT INTO other.kept VALUES (11)"),
        ]), single: true);

        Assert.Equal(MigrationRunStatus.Succeeded, result.Status);
        Assert.Equal(3, result.Applied.Count);
        Assert.Single(result.Applied.Select(a => a.AuditId).Distinct());
        Assert.Equal("1:V1__create.sql,1.5:V1.5__more.sql,2:V2__other.sql", await Harness.TargetScalarAsync<string>(
            "SELECT string_agg(version || ':' || script, ',' ORDER BY installed_rank) FROM rose_schema_history WHERE success"));
        // Counted before anything ran and after the one COMMIT, as when each was counted alone.
        Assert.Empty(result.Applied[0].PreCounts);
        Assert.Equal(3, result.Applied[0].PostCounts["bk_s"]);
        Assert.Equal(3, result.Applied[1].PostCounts["bk_s"]);
        Assert.Equal(4, result.Applied[2].PreCounts["other.kept"]);
        Assert.Equal(5, result.Applied[2].PostCounts["other.kept"]);

        var ids = result.Applied.Select(a => a.DevlogId!.Value).ToList();
        Assert.Equal(ids.Order(), ids);
        for (var i = 0; i < ids.Count; i++)
        {
            var title = await Harness.ControlScalarAsync<string>($"SELECT title FROM rose.devlogs WHERE id = {ids[i]}");
            Assert.Equal($"Migration {result.Applied[i].FileName} applied to t", title);
            var metadata = await Harness.ControlScalarAsync<string>($"SELECT metadata::text FROM rose.devlogs WHERE id = {ids[i]} AND audit_id = {result.Applied[i].AuditId}");
            using var doc = JsonDocument.Parse(metadata!);
            Assert.Equal(result.Applied[i].PostCounts.Values.Sum(), doc.RootElement.GetProperty("validation").GetProperty("post_count").GetInt64());
            Assert.Equal(result.Applied[i].FileName, doc.RootElement.GetProperty("migration").GetProperty("file").GetString());
        }
    }
}
