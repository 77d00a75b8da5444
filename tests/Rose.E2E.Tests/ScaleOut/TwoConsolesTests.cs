using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Rose.E2E.Tests.Infrastructure;

namespace Rose.E2E.Tests.ScaleOut;

/// <summary>
/// Issue #24's "done when": two consoles on one control database behave as one console to a person and
/// to an agent, whichever replica each request reaches.
/// </summary>
public sealed partial class TwoConsolesTests(TwoConsolesFixture fixture) : IClassFixture<TwoConsolesFixture>
{
    [Fact]
    public async Task StartTogether_ConfigurationChange_IsAuditedOnce()
    {
        // Both consoles started at the same moment on an empty control database with the same Rose:Agents.
        Assert.Equal(1L, await ScalarAsync<long>("SELECT count(*) FROM rose.audit_log WHERE 'ADMIN AGENT CONFIGURE' = ANY (operations)"));
        Assert.Equal(1L, await ScalarAsync<long>("SELECT count(*) FROM rose.api_keys WHERE agent_id = 'rose'"));
        // And one key ring, not one per console.
        Assert.Equal(1L, await ScalarAsync<long>("SELECT count(*) FROM rose.data_protection_keys WHERE friendly_name LIKE 'key-%'"));
    }

    [Fact]
    public async Task SignInOnA_NextRequestAndFormPostOnB_Succeed()
    {
        using var handler = new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false };
        using var http = new HttpClient(handler);

        using var signIn = await http.GetAsync(new Uri(fixture.A.BaseUrl, "dev/login?user=alice&returnUrl=/workbench"));
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.Contains(handler.CookieContainer.GetCookies(fixture.A.BaseUrl), c => c.Name == "rose.auth");

        // Cookies are per host name, not per port: the container sends A's cookie to B, as a balancer's clients would.
        using var workbench = await http.GetAsync(new Uri(fixture.B.BaseUrl, "workbench"));
        Assert.Equal(HttpStatusCode.OK, workbench.StatusCode);

        // The antiforgery token comes from a page A rendered; the form goes to B.
        var page = await http.GetStringAsync(new Uri(fixture.A.BaseUrl, "workbench"));
        var token = AntiforgeryField().Match(page);
        Assert.True(token.Success, "A's page carries no antiforgery token");
        using var export = await http.PostAsync(new Uri(fixture.B.BaseUrl, "workbench/export"), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value),
            ["database"] = "demo",
            ["sql"] = "SELECT 41 + 1 AS answer",
            ["reason"] = "two hosts",
        }));
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        Assert.Contains("42", await export.Content.ReadAsStringAsync());

        // The same post without the token is refused: B really checks it.
        using var forged = await http.PostAsync(new Uri(fixture.B.BaseUrl, "workbench/export"), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["database"] = "demo",
            ["sql"] = "SELECT 1",
        }));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
    }

    [Fact]
    public async Task ApprovalParkedOnA_ApprovedOnB_RunsOnce()
    {
        await TargetAsync("CREATE TABLE drop_me (id int)");
        var id = await ParkAsync(fixture.A, "DROP TABLE drop_me");
        var page = await SignedInPageAsync("bob");

        await page.GotoAsync(new Uri(fixture.B.BaseUrl, $"approvals/{id}").ToString());
        await ApproveAsync(page, id);

        await Assertions.Expect(page.GetByTestId("approval-message")).ToContainTextAsync("Approved and executed");
        Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM pg_class WHERE relname = 'drop_me'", fixture.TargetConnection));
        Assert.Equal(1L, await ScalarAsync<long>($"SELECT count(*) FROM rose.audit_log WHERE approval_id = {id} AND channel = 'approval' AND executor_kind <> 'system'"));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task ApprovalApprovedOnAAndBAtOnce_RunsOnce()
    {
        var id = await ParkAsync(fixture.B, "ALTER TABLE scratch ADD COLUMN once int");
        var onA = await SignedInPageAsync("bob");
        var onB = await onA.Context.NewPageAsync();
        await onA.GotoAsync(new Uri(fixture.A.BaseUrl, $"approvals/{id}").ToString());
        await onB.GotoAsync(new Uri(fixture.B.BaseUrl, $"approvals/{id}").ToString());
        await Task.WhenAll(OpenDecisionAsync(onA, id), OpenDecisionAsync(onB, id));

        await Task.WhenAll(onA.GetByTestId("decision-confirm").ClickAsync(), onB.GetByTestId("decision-confirm").ClickAsync());

        await Assertions.Expect(onA.GetByTestId("approval-message")).Not.ToBeEmptyAsync();
        await Assertions.Expect(onB.GetByTestId("approval-message")).Not.ToBeEmptyAsync();
        var messages = new[] { await onA.GetByTestId("approval-message").InnerTextAsync(), await onB.GetByTestId("approval-message").InnerTextAsync() };
        Assert.Single(messages, m => m.Contains("Approved and executed", StringComparison.Ordinal));
        Assert.Equal(1L, await ScalarAsync<long>($"SELECT count(*) FROM rose.audit_log WHERE approval_id = {id} AND channel = 'approval' AND executor_kind <> 'system'"));
        Assert.Equal(1L, await ScalarAsync<long>("SELECT count(*) FROM information_schema.columns WHERE table_name = 'scratch' AND column_name = 'once'", fixture.TargetConnection));
        await onA.Context.CloseAsync();
    }

    [Fact]
    public async Task ConcurrentLoadOnBoth_ChainValid_EveryAcknowledgedWriteAuditedOnce()
    {
        const int PerHost = 50;
        var acknowledged = new System.Collections.Concurrent.ConcurrentBag<long>();
        async Task LoadAsync(ConsoleProcess host, string name)
        {
            using var agent = Agent(host);
            using var gate = new SemaphoreSlim(6);
            await Task.WhenAll(Enumerable.Range(1, PerHost).Select(async n =>
            {
                await gate.WaitAsync();
                try
                {
                    using var response = await agent.PostAsJsonAsync("/api/v1/sql/execute",
                        new { database = "demo", sql = $"INSERT INTO load_rows (host, n) VALUES ('{name}', {n})", reason = "two hosts load" });
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                    acknowledged.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("audit_id").GetInt64());
                }
                finally
                {
                    gate.Release();
                }
            }));
        }

        await Task.WhenAll(LoadAsync(fixture.A, "a"), LoadAsync(fixture.B, "b"));

        Assert.Equal(2 * PerHost, acknowledged.Distinct().Count());
        Assert.Equal(2L * PerHost, await ScalarAsync<long>("SELECT count(*) FROM load_rows", fixture.TargetConnection));
        var ids = string.Join(',', acknowledged);
        // A success's outcome row is group-committed after the answer (AuditOutcomeWriter): milliseconds later.
        await Rose.Tests.Shared.Db.WaitUntilAsync(fixture.ControlConnection,
            $"SELECT count(*) = {2 * PerHost} FROM rose.audit_entries WHERE id IN ({ids}) AND status = 'succeeded'");
        // Once each: as many audit rows for the load as distinct statements, and as many as were acknowledged.
        Assert.Equal(2L * PerHost, await ScalarAsync<long>("SELECT count(*) FROM rose.audit_log WHERE sql_text LIKE 'INSERT INTO load_rows%'"));
        Assert.Equal(2L * PerHost, await ScalarAsync<long>("SELECT count(DISTINCT sql_text) FROM rose.audit_log WHERE sql_text LIKE 'INSERT INTO load_rows%'"));
        using var verifier = Agent(fixture.B);
        var report = await verifier.GetFromJsonAsync<JsonElement>("/api/v1/audit/verify");
        Assert.True(report.GetProperty("valid").GetBoolean(), report.ToString());
    }

    private async Task<IPage> SignedInPageAsync(string user)
    {
        // Signed in on A; every later page of this context may be served by B (same host name, other port).
        var context = await fixture.Chromium.NewContextAsync(fixture.A.BaseUrl);
        var page = await context.NewPageAsync();
        var signIn = await page.GotoAsync($"dev/login?user={user}&returnUrl=/");
        Assert.True(signIn is { Ok: true }, "development sign-in on A failed");
        return page;
    }

    private static async Task ApproveAsync(IPage page, long id)
    {
        await OpenDecisionAsync(page, id);
        await page.GetByTestId("decision-confirm").ClickAsync();
    }

    private static async Task OpenDecisionAsync(IPage page, long id)
    {
        Assert.DoesNotContain("/signin", page.Url, StringComparison.Ordinal);
        await Infrastructure.RoseConsoleFixture.WaitInteractiveAsync(page);
        var card = page.Locator($"[data-approval-id='{id}']");
        await Assertions.Expect(card).ToBeVisibleAsync();
        await card.GetByTestId("approve").ClickAsync();
        await page.GetByTestId("approval-comment").FillAsync("two hosts");
    }

    private static HttpClient Agent(ConsoleProcess host)
    {
        var client = new HttpClient { BaseAddress = host.BaseUrl };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", TwoConsolesFixture.AgentKey);
        return client;
    }

    private static async Task<long> ParkAsync(ConsoleProcess host, string sql)
    {
        using var agent = Agent(host);
        using var response = await agent.PostAsJsonAsync("/api/v1/sql/execute", new { database = "demo", sql, reason = "two hosts approval" });
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

    private async Task<T> ScalarAsync<T>(string sql, string? connection = null)
    {
        await using var conn = new NpgsqlConnection(connection ?? fixture.ControlConnection);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
