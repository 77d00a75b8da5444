using System.Net.Http.Headers;

namespace Rose.E2E.Tests.Auth;

/// <summary>An admin signed in through the provider creates an agent and a key on the Agents page, uses the key, then revokes it.</summary>
[Collection("oidc-e2e")]
public sealed class AgentsPageTests(OidcSignInFixture fx) : IAsyncLifetime
{
    private IBrowserContext context = null!;
    private IPage page = null!;

    public async Task InitializeAsync()
    {
        await fx.SetProviderModeAsync("none");
        context = await fx.Browser.NewContextAsync();
        page = await context.NewPageAsync();
        page.SetDefaultTimeout(30_000);
    }

    public async Task DisposeAsync() => await context.DisposeAsync();

    [Fact]
    public async Task Admin_CreatesAgentAndKey_KeyWorksUntilRevoked()
    {
        await page.GotoAsync(fx.ConsoleUrl + "/agents");
        await page.FillAsync("input[name=login]", "grace");
        await page.FillAsync("input[name=password]", "any-password");
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync(fx.ConsoleUrl + "/agents");
        await page.Locator(".rose-agents[data-interactive=true]").WaitForAsync();

        var id = "e2e-" + Guid.NewGuid().ToString("N")[..8];
        await page.GetByTestId("new-agent").ClickAsync();
        await page.FillAsync("input[name=agent-id]", id);
        await page.FillAsync("input[name=agent-name]", "E2E bot");
        await page.FillAsync("textarea[name=agent-policy]", "{\"allowed_databases\": [\"demo\"], \"allowed_operations\": [\"SELECT\"], \"environmnt\": \"dev\"}");
        await page.GetByTestId("create-agent-submit").ClickAsync();
        await Assertions.Expect(page.GetByTestId("errors")).ToContainTextAsync("Unknown field \"environmnt\"");

        await page.FillAsync("textarea[name=agent-policy]", "{\"allowed_databases\": [\"demo\"], \"allowed_operations\": [\"SELECT\"], \"environment\": \"dev\"}");
        await page.GetByTestId("create-agent-submit").ClickAsync();
        await page.WaitForURLAsync($"**/agents?agent={id}");
        await page.Locator(".rose-agents[data-interactive=true]").WaitForAsync();
        await Assertions.Expect(page.GetByTestId("agent-detail")).ToContainTextAsync("E2E bot");

        await page.GetByTestId("create-key").ClickAsync();
        var keyBox = page.GetByTestId("new-key");
        await Assertions.Expect(keyBox).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("^rose_[0-9a-f]{48}$"));
        var key = await keyBox.InputValueAsync();
        await page.GetByTestId("key-dialog-done").ClickAsync();
        await Assertions.Expect(page.GetByTestId("keys-grid")).ToContainTextAsync("active");
        // Shown once: the page itself never holds the key.
        Assert.DoesNotContain(key, await page.ContentAsync(), StringComparison.Ordinal);

        Assert.Equal(200, await LogsStatusAsync(key));

        await page.GetByTestId("revoke-key").ClickAsync();
        await page.Locator(".mud-dialog").GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("keys-grid")).ToContainTextAsync("revoked");

        Assert.Equal(401, await LogsStatusAsync(key));
        await AssertAuditedAsync(id, key);
    }

    /// <summary>The page's changes are in the audit log under the signed-in admin, and the key is not.</summary>
    private async Task AssertAuditedAsync(string agentId, string key)
    {
        await using var conn = new Npgsql.NpgsqlConnection(fx.ControlConnection);
        await conn.OpenAsync();
        await using var cmd = new Npgsql.NpgsqlCommand("""
            SELECT a.executor_id, a.executor_name, a.provider, a.channel, a.database_name, a.operations[1], o.status, a.sql_text
            FROM rose.audit_log a JOIN rose.audit_outcome o ON o.audit_id = a.id
            WHERE a.channel = 'admin' AND strpos(a.sql_text, $1) > 0 ORDER BY a.id
            """, conn);
        cmd.Parameters.Add(new Npgsql.NpgsqlParameter { Value = $"agent '{agentId}'" });
        var rows = new List<(string Executor, string Name, string Provider, string Channel, string Database, string Operation, string Status, string Sql)>();
        await using (var r = await cmd.ExecuteReaderAsync())
        {
            while (await r.ReadAsync())
            {
                rows.Add((r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), r.GetString(6), r.GetString(7)));
            }
        }

        Assert.Equal(["ADMIN AGENT CREATE", "ADMIN AGENT KEY CREATE", "ADMIN AGENT KEY REVOKE"], rows.Select(r => r.Operation));
        Assert.All(rows, r => Assert.Equal(("grace", "Grace Hopper", fx.ProviderUrl, "admin", "rose", "succeeded"),
            (r.Executor, r.Name, r.Provider, r.Channel, r.Database, r.Status)));
        Assert.All(rows, r => Assert.DoesNotContain(key, r.Sql, StringComparison.Ordinal));
    }

    private async Task<int> LogsStatusAsync(string key)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, fx.ConsoleUrl + "/api/v1/sql/logs?limit=1");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await http.SendAsync(request);
        return (int)response.StatusCode;
    }
}
