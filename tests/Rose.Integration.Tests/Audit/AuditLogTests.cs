using Rose.Core.Audit;
using Rose.Core.Execution;
using Rose.Core.Control;

namespace Rose.Integration.Tests.Audit;

[Collection("postgres")]
public sealed class AuditLogTests(PostgresServerFixture pg) : PipelineTest(pg)
{
    private AuditChainVerifier Verifier => Harness.Services.GetRequiredService<AuditChainVerifier>();

    [Fact]
    public async Task VerifyAsync_AfterManyConcurrentAttempts_ChainIsValid()
    {
        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Harness.RunAsync($"SELECT {i}")));

        var report = await Verifier.VerifyAsync(null, null, CancellationToken.None);

        Assert.True(report.Valid, report.Problem);
        Assert.Equal(40, report.RowsChecked);
    }

    [Fact]
    public async Task RecordAttemptAsync_ConcurrentWriters_ShareCommits_AndOneBadRowFailsAlone()
    {
        var audit = Harness.Services.GetRequiredService<AuditLog>();
        AuditAttempt Attempt(string sql) => new(PipelineHarness.Alice, Rose.Core.Identity.Channel.Api, "t", "group commit", sql, ["SELECT"],
            Rose.Core.Policy.Decision.Allow, []);

        Task<long> Record(string sql) => Task.Run(() => audit.RecordAttemptAsync(Attempt(sql), CancellationToken.None));

        var first = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => Record($"SELECT {i}")));
        // Rows written by one transaction share its xmin: fewer transactions than rows means commits were shared.
        Assert.True(await Harness.ControlScalarAsync<long>("SELECT count(DISTINCT xmin::text) FROM rose.audit_log") < 100);

        // PostgreSQL refuses a NUL character in text: that attempt's INSERT fails inside whatever batch it joined.
        var tasks = Enumerable.Range(100, 100).Select(i => Record(i == 177 ? "SELECT '\0'" : $"SELECT {i}")).ToList();
        var bad = tasks[77];
        var second = await Task.WhenAll(tasks.Where(t => t != bad));
        await Assert.ThrowsAnyAsync<Exception>(() => bad);

        Assert.Equal(199, first.Concat(second).Distinct().Count());
        Assert.Equal(199L, await Harness.ControlScalarAsync<long>("SELECT count(*) FROM rose.audit_log"));
        var report = await Verifier.VerifyAsync(null, null, CancellationToken.None);
        Assert.True(report.Valid, report.Problem);
        Assert.Equal(199, report.RowsChecked);
    }

    [Fact]
    public async Task VerifyAsync_DeletedOutcome_IsCountedAsUnfinished()
    {
        for (var i = 0; i < 3; i++)
        {
            await Harness.RunAsync($"SELECT {i}");
        }

        var victim = await Harness.ControlScalarAsync<long>("SELECT audit_id FROM rose.audit_outcome ORDER BY audit_id OFFSET 1 LIMIT 1");
        await using (var conn = await Harness.Runtime.Control.DataSource.OpenConnectionAsync())
        {
            await Rose.Core.Control.SqlScript.ExecuteAsync(conn, null,
                $"ALTER TABLE rose.audit_outcome DISABLE TRIGGER USER; DELETE FROM rose.audit_outcome WHERE audit_id = {victim}; ALTER TABLE rose.audit_outcome ENABLE TRIGGER USER;", CancellationToken.None);
        }

        var now = await Verifier.VerifyAsync(null, null, TimeSpan.Zero, CancellationToken.None);
        var withGrace = await Verifier.VerifyAsync(null, null, CancellationToken.None);

        Assert.True(now.Valid, now.Problem);
        Assert.Equal(1, now.Unfinished);
        Assert.Equal(victim, now.FirstUnfinishedId);
        Assert.Equal(0, withGrace.Unfinished);
    }

    [Fact]
    public async Task VerifyAsync_AlteredRow_ReportsTheFirstBrokenRow()
    {
        for (var i = 0; i < 5; i++)
        {
            await Harness.RunAsync($"SELECT {i}");
        }

        var victim = await Harness.ControlScalarAsync<long>("SELECT id FROM rose.audit_log ORDER BY id OFFSET 2 LIMIT 1");
        // A superuser can switch the append-only trigger off; the chain still notices.
        await using (var conn = new NpgsqlConnection(Harness.ControlConnection))
        {
            await conn.OpenAsync();
            await SqlScript.ExecuteAsync(conn, null,
                $"ALTER TABLE rose.audit_log DISABLE TRIGGER audit_log_append_only; UPDATE rose.audit_log SET sql_text = 'SELECT 42' WHERE id = {victim}; ALTER TABLE rose.audit_log ENABLE TRIGGER audit_log_append_only;", CancellationToken.None);
        }

        var report = await Verifier.VerifyAsync(null, null, CancellationToken.None);

        Assert.False(report.Valid);
        Assert.Equal(victim, report.FirstBrokenId);
    }

    [Fact]
    public async Task AuditLog_UpdateOrDelete_IsRefused()
    {
        await Harness.RunAsync("SELECT 1");

        var ex = await Assert.ThrowsAsync<PostgresException>(async () =>
        {
            await using var cmd = Harness.Runtime.Control.DataSource.CreateCommand("DELETE FROM rose.audit_log");
            await cmd.ExecuteNonQueryAsync();
        });
        Assert.Equal("42501", ex.SqlState);
    }

    [Fact]
    public async Task RecordAttemptAsync_SecretsInSql_AreRedacted()
    {
        await Harness.RunAsync("CREATE ROLE intruder LOGIN PASSWORD 'hunter2-secret'");

        var stored = await Harness.ControlScalarAsync<string>("SELECT sql_text FROM rose.audit_log ORDER BY id DESC LIMIT 1");
        Assert.DoesNotContain("hunter2-secret", stored, StringComparison.Ordinal);
        Assert.Contains("PASSWORD '***'", stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExecuteAsync_AuditUnavailable_FailsClosedAndRunsNothing()
    {
        await Harness.TargetExecAsync("CREATE TABLE canary (id int)");
        // A control database that cannot be reached: the attempt cannot be recorded.
        var broken = new ControlDatabase("Host=127.0.0.1;Port=1;Database=nowhere;Username=x;Password=y;Timeout=2");
        var audit = new AuditLog(broken);
        // The real pipeline with only its audit log swapped (its constructor is internal: it takes Execution's parts).
        var s = Harness.Services;
        var execution = new ExecutionService(s.GetRequiredService<Rose.Core.Sql.ISqlClassifier>(), s.GetRequiredService<Rose.Core.Policy.PolicyEnforcer>(),
            s.GetRequiredService<Rose.Core.Targets.TargetRegistry>(), s.GetRequiredService<SqlExecutor>(), new AuditedRuns(audit),
            s.GetRequiredService<IApprovalParking>(), s.GetRequiredService<Rose.Core.Undo.PriorBackups>(), s.GetRequiredService<Microsoft.Extensions.Options.IOptions<Rose.Core.Configuration.RoseOptions>>(),
            s.GetRequiredService<Microsoft.Extensions.Logging.ILogger<ExecutionService>>());

        await Assert.ThrowsAsync<AuditUnavailableException>(() => execution.ExecuteAsync(
            new ExecutionRequest(PipelineHarness.Alice, Rose.Core.Identity.Channel.Api, "t", "INSERT INTO canary VALUES (1)", null, PipelineHarness.SeedPolicy()),
            null, CancellationToken.None));
        Assert.Equal(0L, await Harness.TargetScalarAsync<long>("SELECT count(*) FROM canary"));
    }
}
