using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Rose.E2E.Tests.Infrastructure;

namespace Rose.E2E.Tests.Approvals;

/// <summary>The approvals queue in real Chromium against the real console process.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class ApprovalsTests(RoseConsoleFixture fixture)
{
    private HttpClient Agent(Uri? baseUrl = null)
    {
        var client = new HttpClient { BaseAddress = baseUrl ?? fixture.BaseUrl };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", RoseConsoleFixture.AgentKey);
        return client;
    }

    private async Task<long> ParkAsync(string sql, Uri? baseUrl = null)
    {
        using var agent = Agent(baseUrl);
        var response = await agent.PostAsJsonAsync("/api/v1/sql/execute", new { database = "demo", sql, reason = "e2e approvals" });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("approval_id").GetInt64();
    }

    private async Task TargetAsync(string sql)
    {
        await using var conn = new NpgsqlConnection(fixture.TargetConnection);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    private async Task<T?> ScalarAsync<T>(string connection, string sql)
    {
        await using var conn = new NpgsqlConnection(connection);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        var value = await cmd.ExecuteScalarAsync();
        return value is null or DBNull ? default : (T)value;
    }

    [Fact]
    public async Task Approve_AgentDropParkedThroughApi_BobApprovesAndItRunsOnce()
    {
        await TargetAsync("CREATE TABLE approve_me (id int)");
        var id = await ParkAsync("DROP TABLE approve_me");
        var page = await fixture.SignInAsync("bob", "/approvals");

        await RoseConsoleFixture.WaitInteractiveAsync(page);
        var card = page.Locator($"[data-approval-id='{id}']");
        await Assertions.Expect(card).ToBeVisibleAsync();
        await Assertions.Expect(card.GetByTestId("approval-preview")).ToContainTextAsync("ACCESS EXCLUSIVE");
        await card.GetByTestId("approve").ClickAsync();
        // The comment and the confirmation live in a dialog outside the card.
        await page.GetByTestId("approval-comment").FillAsync("ok to drop");
        await page.GetByTestId("decision-confirm").ClickAsync();
        await Assertions.Expect(page.GetByTestId("approval-message")).ToContainTextAsync("Approved and executed");
        // The outcome is said once, in the banner: no toast repeats it (one would show within moments of the banner).
        var toast = page.Locator(".mud-snackbar", new() { HasText = "Approved and executed" });
        await Assert.ThrowsAsync<TimeoutException>(() => toast.WaitForAsync(new() { Timeout = 2_000 }));

        using var agent = Agent();
        var status = await agent.GetFromJsonAsync<JsonElement>($"/api/v1/approvals/{id}");
        Assert.Equal("executed", status.GetProperty("status").GetString());
        Assert.Equal("bob", status.GetProperty("decided_by").GetString());
        Assert.Equal(0L, await ScalarAsync<long>(fixture.TargetConnection, "SELECT count(*) FROM pg_class WHERE relname = 'approve_me'"));
        var executionAudit = status.GetProperty("execution_audit_id").GetInt64();
        Assert.Equal("bob", await ScalarAsync<string>(fixture.ControlConnection, $"SELECT approved_by FROM rose.audit_log WHERE id = {executionAudit}"));
        Assert.Equal(1L, await ScalarAsync<long>(fixture.ControlConnection, $"SELECT count(*) FROM rose.audit_log WHERE approval_id = {id} AND channel = 'approval' AND executor_kind <> 'system'"));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Approve_OwnRequest_ShowsWhyAndOffersNoButtons()
    {
        await TargetAsync("CREATE TABLE alice_table (id int)");
        var page = await fixture.SignInAsync("alice", "/");
        var response = await page.APIRequest.PostAsync("/api/v1/sql/execute", new APIRequestContextOptions
        {
            DataObject = new { database = "demo", sql = "DROP TABLE alice_table", reason = "mine" },
        });
        Assert.Equal(202, response.Status);
        var id = (await response.JsonAsync())!.Value.GetProperty("approval_id").GetInt64();

        await page.GotoAsync($"/approvals/{id}");

        var card = page.Locator($"[data-approval-id='{id}']");
        await Assertions.Expect(card.GetByTestId("cannot-decide")).ToBeVisibleAsync();
        await Assertions.Expect(card.GetByTestId("approve")).ToHaveCountAsync(0);
        Assert.Equal(1L, await ScalarAsync<long>(fixture.TargetConnection, "SELECT count(*) FROM pg_class WHERE relname = 'alice_table'"));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Approve_ExpiredRequest_CannotBeApproved()
    {
        await TargetAsync("CREATE TABLE expiring (id int)");
        var id = await ParkAsync("DROP TABLE expiring");
        await using (var conn = new NpgsqlConnection(fixture.ControlConnection))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"UPDATE rose.approvals SET expires_at = now() - interval '1 minute' WHERE id = {id}", conn);
            await cmd.ExecuteNonQueryAsync();
        }

        var page = await fixture.SignInAsync("bob", $"/approvals/{id}");

        var card = page.Locator($"[data-approval-id='{id}']");
        await Assertions.Expect(card.GetByTestId("approval-status")).ToHaveTextAsync("expired");
        await Assertions.Expect(card.GetByTestId("approve")).ToHaveCountAsync(0);
        using var agent = Agent();
        var status = await agent.GetFromJsonAsync<JsonElement>($"/api/v1/approvals/{id}");
        Assert.Equal("expired", status.GetProperty("status").GetString());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Queue_RequestParkedOnAnotherInstance_AppearsWithoutReload()
    {
        await using var second = await ConsoleProcess.StartAsync(fixture.Environment!);
        var context = await fixture.Chromium.NewContextAsync(second.BaseUrl);
        var page = await context.NewPageAsync();
        // The second instance's first page (JIT, first circuit) is as slow as the fixture's first one: the same 60 s.
        await page.GotoAsync("dev/login?user=bob&returnUrl=/approvals", new PageGotoOptions { Timeout = 60_000 });
        await Assertions.Expect(page.Locator("h1")).ToContainTextAsync("Approvals");
        await RoseConsoleFixture.WaitInteractiveAsync(page);
        await TargetAsync("CREATE TABLE live_table (id int)");

        var id = await ParkAsync("DROP TABLE live_table"); // through the FIRST instance

        await Assertions.Expect(page.Locator($"[data-approval-id='{id}']")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await context.CloseAsync();
    }
}
