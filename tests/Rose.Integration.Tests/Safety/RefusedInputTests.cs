using Rose.Core.Execution;
using Rose.Core.Migrations;

namespace Rose.Integration.Tests.Safety;

/// <summary>
/// Characters PostgreSQL refuses (NUL, unpaired surrogates): refused with their position, nothing run, the attempt
/// audited escaped. Nothing runs, so the class shares one harness (<see cref="SharedHarness"/>); each test reads its own audit row.
/// </summary>
[Collection("postgres")]
public sealed class RefusedInputTests(PostgresServerFixture pg, SharedHarness shared) : PipelineTest(pg, shared), IClassFixture<SharedHarness>
{
    protected override async Task SeedAsync()
    {
        await Harness.TargetExecAsync("CREATE TABLE t1 (id int PRIMARY KEY)");
        await Harness.TargetExecAsync("INSERT INTO t1 VALUES (1), (2)");
    }

    private async Task<(string Sql, string Database, string Decision, string Status)> AuditRowAsync(long id)
    {
        await using var cmd = Harness.Runtime.Control.DataSource.CreateCommand(
            "SELECT a.sql_text, a.database_name, a.decision, o.status FROM rose.audit_log a JOIN rose.audit_outcome o ON o.audit_id = a.id WHERE a.id = $1");
        cmd.Parameters.Add(new Npgsql.NpgsqlParameter<long> { TypedValue = id });
        await using var reader = await cmd.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), $"no audit row {id}");
        return (reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3));
    }

    [Fact]
    public async Task NulInSql_IsRefusedWithItsPosition_AndAuditedEscaped()
    {
        var ex = await Assert.ThrowsAsync<ExecutionRequestException>(() => Harness.RunAsync("DELETE FROM t1;\nSELECT 1\0; DELETE FROM t1"));

        Assert.Contains("NUL", ex.Message, StringComparison.Ordinal);
        Assert.Contains("offset 24 (line 2, column 9)", ex.Message, StringComparison.Ordinal);
        var row = await AuditRowAsync(ex.AuditId!.Value);
        Assert.Equal("DELETE FROM t1;\nSELECT 1\\u0000; DELETE FROM t1", row.Sql);
        Assert.Equal(("deny", "denied"), (row.Decision, row.Status));
        Assert.Equal(2L, await Harness.TargetScalarAsync<long>("SELECT count(*) FROM t1"));
    }

    [Fact]
    public async Task NulInDatabaseName_IsRefusedWithItsPosition_AndAudited()
    {
        var ex = await Assert.ThrowsAsync<ExecutionRequestException>(() => Harness.Execution.ExecuteAsync(
            new ExecutionRequest(PipelineHarness.Alice, Rose.Core.Identity.Channel.Api, "t\0x", "SELECT 1", "test", PipelineHarness.SeedPolicy()), null, CancellationToken.None));

        Assert.Contains("database holds a NUL character (U+0000) at offset 1", ex.Message, StringComparison.Ordinal);
        var row = await AuditRowAsync(ex.AuditId!.Value);
        Assert.Equal("t\\u0000x", row.Database);
    }

    [Fact]
    public async Task LoneSurrogateInSql_IsRefusedWithItsPosition_AndAuditedEscaped_BackslashesToo()
    {
        var ex = await Assert.ThrowsAsync<ExecutionRequestException>(() => Harness.RunAsync("SELECT '\\d', '\uD800'"));

        Assert.Contains("unpaired UTF-16 surrogate (U+D800) at offset 14", ex.Message, StringComparison.Ordinal);
        var row = await AuditRowAsync(ex.AuditId!.Value);
        Assert.Equal("SELECT '\\\\d', '\\uD800'", row.Sql);
    }

    [Fact]
    public async Task NulInAMigration_IsRefusedBeforeAnythingRuns_AndAudited()
    {
        var runner = Harness.Services.GetRequiredService<MigrationRunner>();
        var set = MigrationSet.From([("V1__create.sql", "CREATE TABLE m1 (id int);"), ("V2__nul.sql", "DELETE FROM t1;\0")]);

        var ex = await Assert.ThrowsAsync<MigrationException>(() => runner.ApplyAsync(
            new MigrationRunRequest("t", set, PipelineHarness.Alice, PipelineHarness.SeedPolicy(), "test"), null, CancellationToken.None));

        Assert.Contains("migration V2__nul.sql holds a NUL character (U+0000) at offset 15", ex.Message, StringComparison.Ordinal);
        Assert.Contains("audit #", ex.Message, StringComparison.Ordinal);
        Assert.Null(await Harness.TargetScalarAsync<string>("SELECT to_regclass('m1')::text"));
        Assert.Equal(2L, await Harness.TargetScalarAsync<long>("SELECT count(*) FROM t1"));
        Assert.Equal(1L, await Harness.ControlScalarAsync<long>("SELECT count(*) FROM rose.audit_log WHERE channel = 'migration' AND decision = 'deny' AND sql_text LIKE '%\\\\u0000%'"));
    }
}
