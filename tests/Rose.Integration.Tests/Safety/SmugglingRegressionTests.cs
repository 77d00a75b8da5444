using Rose.Core.Execution;
using Rose.Core.Migrations;
using Rose.Core.Policy;

namespace Rose.Integration.Tests.Safety;

/// <summary>
/// The review's findings, end to end through the services layer against real PostgreSQL, for an
/// agent whose policy allows SELECT only. Nothing may change, which every test asserts, so the class shares one
/// seeded harness (<see cref="SharedHarness"/>).
/// </summary>
[Collection("postgres")]
public sealed class SmugglingRegressionTests(PostgresServerFixture pg, SharedHarness shared) : PipelineTest(pg, shared), IClassFixture<SharedHarness>
{
    /// <summary>PostgreSQL ends the "--x" comment at the CR; a lexer that ends it at LF sees "SELECT $q$" as comment.</summary>
    public const string Smuggling = "SELECT 1 FROM customers LIMIT 1 FOR UPDATE; --x\rSELECT $q$\nDELETE FROM app_events --$q$";

    private static readonly SqlPolicy SelectOnly = new()
    {
        AllowedDatabases = ["t"],
        AllowedOperations = ["SELECT"],
        Environment = "dev",
    };

    protected override async Task SeedAsync()
    {
        await Harness.TargetExecAsync("CREATE TABLE customers (id int PRIMARY KEY, name text)");
        await Harness.TargetExecAsync("INSERT INTO customers SELECT g, 'c' || g FROM generate_series(1, 5) g");
        await Harness.TargetExecAsync("CREATE TABLE app_events (id int PRIMARY KEY)");
        await Harness.TargetExecAsync("INSERT INTO app_events SELECT g FROM generate_series(1, 50) g");
    }

    private async Task AssertNothingChangedAndNoLockHeldAsync()
    {
        Assert.Equal(50L, await Harness.TargetScalarAsync<long>("SELECT count(*) FROM app_events"));
        Assert.Equal(5L, await Harness.TargetScalarAsync<long>("SELECT count(*) FROM customers"));
        Assert.Equal(0L, await Harness.TargetScalarAsync<long>(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"));
    }

    [Fact]
    public async Task SmuggledDelete_ThroughThePipeline_DeletesNothing()
    {
        var outcome = await Harness.RunAsync(Smuggling, SelectOnly);

        Assert.NotEqual(OutcomeStatus.Succeeded, outcome.Status);
        await AssertNothingChangedAndNoLockHeldAsync();
    }

    [Fact]
    public async Task SmuggledDelete_AsAMigration_DeletesNothing_AndLeavesNoAdvisoryLock()
    {
        var runner = Harness.Services.GetRequiredService<MigrationRunner>();
        var set = MigrationSet.From([("R__adhoc_smuggle.sql", Smuggling)]);

        var result = await runner.ApplyAsync(new MigrationRunRequest("t", set, PipelineHarness.Alice, SelectOnly, "test"), null, CancellationToken.None);

        Assert.NotEqual(MigrationRunStatus.Succeeded, result.Status);
        await AssertNothingChangedAndNoLockHeldAsync();
    }

    /// <summary>Needs the classifier's LOCK ROWS operation (parser branch): a SELECT entry must not reach it.</summary>
    [Fact]
    public async Task SelectForUpdate_BySelectOnlyAgent_IsDenied_AndTakesNoRowLock()
    {
        // Another session holds the row: a statement that tried to lock it would fail with 55P03, not be denied.
        await using var blocker = new NpgsqlConnection(Harness.TargetConnection);
        await blocker.OpenAsync();
        await using var tx = await blocker.BeginTransactionAsync();
        await using (var cmd = new NpgsqlCommand("SELECT 1 FROM customers WHERE id = 1 FOR UPDATE", blocker, tx))
        {
            await cmd.ExecuteNonQueryAsync();
        }

        foreach (var sql in new[] { "SELECT * FROM customers WHERE id = 1 FOR UPDATE NOWAIT", "SELECT * FROM customers WHERE id = 1 FOR KEY SHARE NOWAIT" })
        {
            var outcome = await Harness.RunAsync(sql, SelectOnly);

            Assert.Equal(OutcomeStatus.Denied, outcome.Status);
            Assert.Contains(ReadRouting.LockRows, outcome.Decision.Operations);
            Assert.Null(outcome.Result);
        }
    }

    /// <summary>Needs the parser branch: the DELETE after a CR-ended comment is a statement of its own.</summary>
    [Fact]
    public async Task DeleteAfterCarriageReturnComment_IsDenied_WithTheDeleteNamed()
    {
        var outcome = await Harness.RunAsync("SELECT 1; --\rDELETE FROM customers", SelectOnly);

        Assert.Equal(OutcomeStatus.Denied, outcome.Status);
        Assert.Contains("DELETE", outcome.Decision.Operations);
        Assert.Contains(outcome.Reasons, r => r.Contains("DELETE", StringComparison.Ordinal));
        await AssertNothingChangedAndNoLockHeldAsync();
    }
}
