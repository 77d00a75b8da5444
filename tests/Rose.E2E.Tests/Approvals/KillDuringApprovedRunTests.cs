using System.Net.Http.Json;
using System.Text.Json;
using Rose.E2E.Tests.Infrastructure;
using static Rose.Tests.Shared.Db;

namespace Rose.E2E.Tests.Approvals;

/// <summary>
/// kill -9 of the console that is running an approved request (approved by a person on its page, the
/// only place approvals are decided), then a restart: the run's attempt is resolved from its target
/// transaction, the request is completed from it instead of staying 'executing' forever, nothing ran
/// twice, and the chain verifies. A second console on the fixture's control database is the one
/// killed, so the shared one (and its browser) go on for the other tests.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class KillDuringApprovedRunTests(RoseConsoleFixture fixture)
{
    [Fact]
    public async Task KillWhileAnApprovedDropWaitsOnTheTarget_TheRestartRecoversItFailed_AndCompletesTheRequest()
    {
        await ExecAsync(fixture.TargetConnection, "CREATE TABLE kill_approved (id int)");
        using var agent = new HttpClient { BaseAddress = fixture.BaseUrl };
        agent.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", RoseConsoleFixture.AgentKey);
        var parked = await agent.PostAsJsonAsync("/api/v1/sql/execute", new { database = "demo", sql = "DROP TABLE kill_approved", reason = "kill test" });
        var id = (await parked.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("approval_id").GetInt64();

        // The console that runs the approval recovers every second once restarted.
        var environment = new Dictionary<string, string?>(fixture.Environment.Select(e => KeyValuePair.Create(e.Key, (string?)e.Value)))
        {
            ["Rose__Audit__RecoveryIntervalSeconds"] = "1",
        };
        var runner = await ConsoleProcess.StartAsync(environment);
        try
        {
            var context = await fixture.Chromium.NewContextAsync(runner.BaseUrl);
            var page = await context.NewPageAsync();
            await page.GotoAsync($"dev/login?user=bob&returnUrl=/approvals/{id}", new PageGotoOptions { Timeout = 60_000 });
            await RoseConsoleFixture.WaitInteractiveAsync(page);

            await using (var hold = new NpgsqlConnection(fixture.TargetConnection))
            {
                // A reader holds the table: the approved DROP starts in its transaction and waits for the lock.
                await hold.OpenAsync();
                await using var tx = await hold.BeginTransactionAsync();
                await using (var share = new NpgsqlCommand("LOCK TABLE kill_approved IN ACCESS SHARE MODE", hold, tx))
                {
                    await share.ExecuteNonQueryAsync();
                }

                var card = page.Locator($"[data-approval-id='{id}']");
                await card.GetByTestId("approve").ClickAsync();
                await page.GetByTestId("approval-comment").FillAsync("drop it");
                await page.GetByTestId("decision-confirm").ClickAsync();
                // The run (its prior backup, then the DROP) waits on the lock the test holds.
                await WaitUntilAsync(fixture.TargetConnection,
                    "SELECT count(*) > 0 FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%kill_approved%' AND wait_event_type = 'Lock'",
                    "SELECT string_agg(state || ' ' || coalesce(wait_event_type, '-') || ': ' || left(query, 120), E'\n') FROM pg_stat_activity WHERE datname = current_database()");
                Assert.Equal("executing", await ScalarAsync<string>(fixture.ControlConnection, $"SELECT status FROM rose.approvals WHERE id = {id}"));
                await runner.KillAsync();
                await tx.RollbackAsync();
            }

            await context.CloseAsync();
            // The orphaned backend runs its DROP once the lock is gone, then finds no client and no COMMIT.
            await WaitUntilAsync(fixture.TargetConnection, "SELECT count(*) = 0 FROM pg_stat_activity WHERE query LIKE 'DROP TABLE kill_approved%' AND state <> 'idle'");
        }
        finally
        {
            await runner.DisposeAsync();
        }

        await using var restarted = await ConsoleProcess.StartAsync(environment);
        await WaitUntilAsync(fixture.ControlConnection, $"SELECT status <> 'executing' FROM rose.approvals WHERE id = {id}");

        var status = await agent.GetFromJsonAsync<JsonElement>($"/api/v1/approvals/{id}");
        Assert.Equal("failed", status.GetProperty("status").GetString());
        var executionAudit = status.GetProperty("execution_audit_id").GetInt64();
        Assert.Equal("failed true true", await ScalarAsync<string>(fixture.ControlConnection, $"""
            SELECT o.status || ' ' || o.recovered || ' ' || (a.target_xid IS NOT NULL) FROM rose.audit_log a JOIN rose.audit_outcome o ON o.audit_id = a.id
            WHERE a.id = {executionAudit} AND a.approval_id = {id} AND a.approved_by = 'bob'
            """));
        // Ran once (one attempt), and nothing of it was kept: the table is still there.
        Assert.Equal(1L, await ScalarAsync<long>(fixture.ControlConnection, $"SELECT count(*) FROM rose.audit_log WHERE approval_id = {id} AND channel = 'approval'"));
        Assert.Equal(1L, await ScalarAsync<long>(fixture.TargetConnection, "SELECT count(*) FROM pg_class WHERE relname = 'kill_approved'"));

        var verify = await agent.GetFromJsonAsync<JsonElement>("/api/v1/audit/verify");
        Assert.True(verify.GetProperty("valid").GetBoolean(), verify.ToString());
    }

    /// <summary>Polls a boolean query until it is true (60 s at most); on failure, shows what <paramref name="explain"/> reads.</summary>
    private static async Task WaitUntilAsync(string connection, string sql, string? explain = null)
    {
        for (var i = 0; i < 300; i++)
        {
            if (await ScalarAsync<object>(connection, sql) is true)
            {
                return;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException("never true: " + sql + (explain is null ? string.Empty : "\n" + await ScalarAsync<object>(connection, explain)));
    }
}
