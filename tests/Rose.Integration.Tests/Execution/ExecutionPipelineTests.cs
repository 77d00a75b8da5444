using Rose.Core.Audit;
using Rose.Core.Execution;

namespace Rose.Integration.Tests.Execution;

/// <summary>
/// One harness for the class (<see cref="SharedHarness"/>): every test leaves `items` as seeded (reads, refusals, a
/// parked DROP, a batch rolled back; the one committed insert is deleted again), and the audit assertions count
/// only rows written since the test began.
/// </summary>
[Collection("postgres")]
public sealed class ExecutionPipelineTests(PostgresServerFixture pg, SharedHarness shared) : PipelineTest(pg, shared), IClassFixture<SharedHarness>
{
    protected override async Task SeedAsync()
    {
        await Harness.TargetExecAsync("CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, price numeric(30,10), created timestamptz DEFAULT '2024-05-01 10:00:00+00', payload jsonb, blob bytea)");
        await Harness.TargetExecAsync("INSERT INTO items (id, name, price, payload, blob) SELECT g, 'item ' || g, 12345678901234567890.0123456789, '{\"a\": 1}', '\\x0102' FROM generate_series(1, 50) g");
    }

    [Fact]
    public async Task ExecuteAsync_AllowedSelect_ReturnsRowsInTextFormWithTypes()
    {
        var outcome = await Harness.RunAsync("SELECT id, name, price, created, payload, blob, NULL::text AS nothing FROM items WHERE id = 7");

        Assert.Equal(OutcomeStatus.Succeeded, outcome.Status);
        var statement = Assert.Single(outcome.Result!.Statements);
        Assert.Equal(["integer", "text", "numeric(30, 10)", "timestamp with time zone", "jsonb", "bytea", "text"], statement.Columns.Select(c => c.Type));
        var row = Assert.Single(statement.Rows);
        Assert.Equal("7", row[0]);
        Assert.Equal("12345678901234567890.0123456789", row[2]);
        Assert.Null(row[6]);
        Assert.True(outcome.Result.ReadOnly);
    }

    [Fact]
    public async Task ExecuteAsync_RowCap_TruncatesAndCountsAll()
    {
        var outcome = await Harness.Execution.ExecuteAsync(new ExecutionRequest(PipelineHarness.Alice, Rose.Core.Identity.Channel.Api, "t",
            "SELECT id FROM items ORDER BY id", null, PipelineHarness.SeedPolicy(), MaxRows: 10), null, CancellationToken.None);

        var statement = Assert.Single(outcome.Result!.Statements);
        Assert.Equal(10, statement.Rows.Count);
        Assert.True(statement.Truncated);
        Assert.Equal(50, statement.RowCount);
    }

    [Fact]
    public async Task ExecuteAsync_WriteBatchFailingHalfway_RollsBackEverything()
    {
        var outcome = await Harness.RunAsync("INSERT INTO items (id, name) VALUES (100, 'new'); INSERT INTO items (id, name) VALUES (1, 'duplicate')");

        Assert.Equal(OutcomeStatus.Failed, outcome.Status);
        Assert.Equal("23505", outcome.Result!.Error!.SqlState);
        Assert.Equal(1, outcome.Result.Error.StatementIndex);
        Assert.Equal(0L, await Harness.TargetScalarAsync<long>("SELECT count(*) FROM items WHERE id = 100"));
    }

    [Fact]
    public async Task ExecuteAsync_ServerError_KeepsSqlStateAndBatchPosition()
    {
        const string sql = "SELECT 1;\nSELECT no_such_column FROM items";
        var outcome = await Harness.RunAsync(sql);

        Assert.Equal(OutcomeStatus.Failed, outcome.Status);
        var error = outcome.Result!.Error!;
        Assert.Equal("42703", error.SqlState);
        Assert.Equal(sql.IndexOf("no_such_column", StringComparison.Ordinal), error.Position);
    }

    [Fact]
    public async Task ExecuteAsync_Denied_DoesNotRunAndIsAudited()
    {
        var outcome = await Harness.RunAsync("CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'");

        Assert.Equal(OutcomeStatus.Denied, outcome.Status);
        Assert.Contains(outcome.Reasons, r => r.Contains("CREATE FUNCTION", StringComparison.Ordinal));
        Assert.Equal(0L, await Harness.TargetScalarAsync<long>("SELECT count(*) FROM pg_proc WHERE proname = 'f'"));
        var entry = await Harness.Services.GetRequiredService<AuditReader>().GetAsync(outcome.AuditId, CancellationToken.None);
        Assert.Equal("denied", entry!.Status);
        Assert.Equal("deny", entry.Decision);
    }

    [Fact]
    public async Task ExecuteAsync_Drop_IsParkedAndNothingChanges()
    {
        var outcome = await Harness.RunAsync("DROP TABLE items");

        Assert.Equal(OutcomeStatus.PendingApproval, outcome.Status);
        Assert.NotNull(outcome.ApprovalId);
        Assert.Equal(50L, await Harness.TargetScalarAsync<long>("SELECT count(*) FROM items"));
        var approval = await Harness.Services.GetRequiredService<Rose.Core.Approvals.ApprovalStore>().GetAsync(outcome.ApprovalId!.Value, CancellationToken.None);
        Assert.Equal("DROP TABLE items", approval!.Sql);
        Assert.Equal("pending", approval.Status);
    }

    [Fact]
    public async Task ExecuteAsync_EveryAttempt_HasExactlyOneAuditRowWithOutcome()
    {
        var before = await Harness.ControlScalarAsync<long>("SELECT count(*) FROM rose.audit_log");
        await Harness.RunAsync("SELECT 1");
        await Harness.RunAsync("SELECT 1/0");
        await Harness.RunAsync("DROP TABLE items");
        await Harness.RunAsync("SELECT pg_terminate_backend(1)");
        await Harness.RunAsync("SELEC broken");

        Assert.Equal(before + 5, await Harness.ControlScalarAsync<long>("SELECT count(*) FROM rose.audit_log"));
        Assert.Equal(0L, await Harness.ControlScalarAsync<long>("SELECT count(*) FROM rose.audit_entries WHERE status = 'running'"));
        var statuses = await Harness.Services.GetRequiredService<AuditReader>().QueryAsync(new AuditFilter { Limit = 5 }, CancellationToken.None);
        Assert.Equal(["denied", "denied", "pending_approval", "failed", "succeeded"], statuses.Select(s => s.Status));
    }

    [Fact]
    public async Task ExecuteAsync_UnknownDatabase_IsDeniedWithReason()
    {
        var policy = PipelineHarness.SeedPolicy() with { AllowedDatabases = ["t", "ghost"] };
        var outcome = await Harness.Execution.ExecuteAsync(new ExecutionRequest(PipelineHarness.Alice, Rose.Core.Identity.Channel.Api, "ghost",
            "SELECT 1", null, policy), null, CancellationToken.None);

        Assert.Equal(OutcomeStatus.Denied, outcome.Status);
        Assert.Contains(outcome.Reasons, r => r.Contains("ghost", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ExecuteAsync_EmptyOrHugeSql_IsRejectedBeforeAudit()
    {
        var before = await Harness.ControlScalarAsync<long>("SELECT count(*) FROM rose.audit_log");

        await Assert.ThrowsAsync<ExecutionRequestException>(() => Harness.RunAsync("   "));
        await Assert.ThrowsAsync<ExecutionRequestException>(() => Harness.RunAsync("SELECT '" + new string('x', 1_000_001) + "'"));
        Assert.Equal(before, await Harness.ControlScalarAsync<long>("SELECT count(*) FROM rose.audit_log"));
    }

    [Fact]
    public async Task ExecuteAsync_NoticesAndNoTransactionStatements_AreReported()
    {
        try
        {
            var outcome = await Harness.RunAsync("INSERT INTO items (id, name) VALUES (200, 'x'); VACUUM items",
                PipelineHarness.SeedPolicy("VACUUM"));

            Assert.Equal(OutcomeStatus.Succeeded, outcome.Status);
            Assert.False(outcome.Result!.AllOrNothing);
            Assert.True(outcome.Result.Statements[1].RanAlone);
            Assert.NotEmpty(outcome.Result.Notes);
        }
        finally
        {
            // The class shares its target: the other tests count the 50 seeded items.
            await Harness.TargetExecAsync("DELETE FROM items WHERE id = 200");
        }
    }

    [Fact]
    public async Task ExecuteAsync_Cancelled_CancelsTheServerQueryAndIsAudited()
    {
        using var cts = new CancellationTokenSource();
        var run = Harness.RunAsync("SELECT pg_sleep(0.9) FROM generate_series(1, 30)", PipelineHarness.SeedPolicy("FUNCTION pg_sleep"), cts.Token);
        await WaitForActiveSleepAsync(expected: true);
        cts.Cancel();
        var outcome = await run;

        Assert.Equal(OutcomeStatus.Cancelled, outcome.Status);
        await WaitForActiveSleepAsync(expected: false);
        var status = await Harness.ControlScalarAsync<string>($"SELECT status FROM rose.audit_entries WHERE id = {outcome.AuditId}");
        Assert.Equal("cancelled", status);
    }

    private async Task WaitForActiveSleepAsync(bool expected)
    {
        for (var i = 0; i < 100; i++)
        {
            var active = await Harness.TargetScalarAsync<long>(
                "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE 'SELECT pg_sleep(0.9)%'");
            if ((active > 0) == expected)
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail(expected ? "the query never started on the server" : "the server query was not cancelled");
    }
}
