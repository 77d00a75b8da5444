using System.Net.Http.Headers;
using Microsoft.Playwright;

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
        await page.Locator(".rz-dialog").GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("keys-grid")).ToContainTextAsync("revoked");

        Assert.Equal(401, await LogsStatusAsync(key));
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
