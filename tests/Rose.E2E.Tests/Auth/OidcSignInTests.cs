namespace Rose.E2E.Tests.Auth;

/// <summary>Sign-in through a real OIDC provider in real Chromium, and id_tokens the console must refuse.</summary>
[Collection("oidc-e2e")]
public sealed class OidcSignInTests(OidcSignInFixture fx) : IAsyncLifetime
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

    public async Task DisposeAsync()
    {
        await context.DisposeAsync();
        await fx.SetProviderModeAsync("none");
    }

    /// <summary>Opens the console, follows the redirect to the provider and fills its login form.</summary>
    private async Task SignInAtProviderAsync(string login)
    {
        await page.GotoAsync(fx.ConsoleUrl + "/");
        Assert.StartsWith(fx.ProviderUrl, page.Url, StringComparison.Ordinal);
        await page.FillAsync("input[name=login]", login);
        await page.FillAsync("input[name=password]", "any-password");
        await page.ClickAsync("button[type=submit]");
    }

    [Fact]
    public async Task SignIn_ThroughProvider_LandsOnConsoleWithMappedRole()
    {
        await SignInAtProviderAsync("ada");

        await page.WaitForURLAsync(fx.ConsoleUrl + "/");
        var user = page.GetByTestId("current-user");
        await Assertions.Expect(user).ToHaveTextAsync("Ada Lovelace");
        await Assertions.Expect(page.GetByTestId("current-role")).ToHaveTextAsync("approver");

        // The session runs SQL as this person: the audit log names the subject, the name and the issuer.
        var reason = "oidc audit " + Guid.NewGuid().ToString("N");
        var run = await page.APIRequest.PostAsync(fx.ConsoleUrl + "/api/v1/sql/execute",
            new() { DataObject = new { database = "demo", sql = "SELECT 1", reason } });
        Assert.Equal(200, run.Status);
        await using var conn = new Npgsql.NpgsqlConnection(fx.ControlConnection);
        await conn.OpenAsync();
        await using var cmd = new Npgsql.NpgsqlCommand("SELECT executor_id, executor_name, executor_kind, provider FROM rose.audit_log WHERE reason = $1", conn);
        cmd.Parameters.Add(new Npgsql.NpgsqlParameter { Value = reason });
        await using var row = await cmd.ExecuteReaderAsync();
        Assert.True(await row.ReadAsync());
        Assert.Equal(("ada", "Ada Lovelace", "human", fx.ProviderUrl), (row.GetString(0), row.GetString(1), row.GetString(2), row.GetString(3)));
    }

    [Fact]
    public async Task SignOut_AfterSignIn_EndsTheProviderSessionToo()
    {
        await SignInAtProviderAsync("grace");
        await page.WaitForURLAsync(fx.ConsoleUrl + "/");
        await Assertions.Expect(page.GetByTestId("current-role")).ToHaveTextAsync("admin");

        // Let the circuit finish starting: it re-renders the header, and a click on the replaced button would be lost.
        // The layout marks that render itself; waiting for the network to go quiet timed out on a loaded machine.
        await Infrastructure.RoseConsoleFixture.WaitInteractiveAsync(page);
        await page.ClickAsync("form[action='/signout'] button");

        await page.WaitForURLAsync(fx.ConsoleUrl + "/signed-out");
        await Assertions.Expect(page.GetByTestId("signed-out")).ToBeVisibleAsync();
        // The provider session is gone as well: the console sends us to the provider's login form again.
        await page.GotoAsync(fx.ConsoleUrl + "/");
        Assert.StartsWith(fx.ProviderUrl, page.Url, StringComparison.Ordinal);
        await Assertions.Expect(page.Locator("input[name=login]")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task SignIn_AfterProviderRotatesItsKey_RefetchesTheJwksAndSucceeds()
    {
        // A first sign-in makes the console cache the provider's JWKS with only the first key.
        await SignInAtProviderAsync("ada");
        await page.WaitForURLAsync(fx.ConsoleUrl + "/");
        await fx.SetProviderModeAsync("rotated");

        await using var second = await fx.Browser.NewContextAsync();
        page = await second.NewPageAsync();
        await SignInAtProviderAsync("grace");

        await page.WaitForURLAsync(u => u.StartsWith(fx.ConsoleUrl, StringComparison.Ordinal));
        Assert.True(page.Url == fx.ConsoleUrl + "/", $"{page.Url}: {await page.InnerTextAsync("body")}\n{Tail(fx.Console.Output)}");
        await Assertions.Expect(page.GetByTestId("current-user")).ToHaveTextAsync("Grace Hopper");
    }

    [Fact]
    public async Task ClientSecret_NeverReachesTheConsoleLogOrPages()
    {
        await SignInAtProviderAsync("ada");
        await page.WaitForURLAsync(fx.ConsoleUrl + "/");
        var home = await page.ContentAsync();
        await fx.SetProviderModeAsync("tampered");
        await using var second = await fx.Browser.NewContextAsync();
        var refused = await second.NewPageAsync();
        await refused.GotoAsync(fx.ConsoleUrl + "/");
        await refused.FillAsync("input[name=login]", "grace");
        await refused.FillAsync("input[name=password]", "any-password");
        await refused.ClickAsync("button[type=submit]");
        await Assertions.Expect(refused.GetByTestId("signin-error")).ToBeVisibleAsync();

        Assert.DoesNotContain(OidcSignInFixture.ClientSecret, home, StringComparison.Ordinal);
        Assert.DoesNotContain(OidcSignInFixture.ClientSecret, await refused.ContentAsync(), StringComparison.Ordinal);
        Assert.Contains("OIDC sign-in refused", fx.Console.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(OidcSignInFixture.ClientSecret, fx.Console.Output, StringComparison.Ordinal);
    }

    private static string Tail(string text) => text.Length <= 3000 ? text : text[^3000..];

    [Theory]
    [InlineData("expired", "expired")]
    [InlineData("tampered", "signature could not be verified")]
    [InlineData("rogue", "signature could not be verified")]
    public async Task SignIn_BadIdToken_IsRefusedWithoutSession(string mode, string expected)
    {
        await fx.SetProviderModeAsync(mode);

        await SignInAtProviderAsync("grace");

        var error = page.GetByTestId("signin-error");
        await Assertions.Expect(error).ToContainTextAsync(expected);
        Assert.StartsWith(fx.ConsoleUrl + "/oidc/callback", page.Url, StringComparison.Ordinal);
        Assert.DoesNotContain(await context.CookiesAsync(), c => c.Name.StartsWith("rose.auth", StringComparison.Ordinal));
        var response = await page.APIRequest.GetAsync(fx.ConsoleUrl + "/api/v1/sql/logs", new() { MaxRedirects = 0 });
        Assert.Equal(401, response.Status);
    }

    [Fact]
    public async Task SignIn_NoMappedRole_IsRefusedWithAClearPage()
    {
        await SignInAtProviderAsync("eve");

        var error = page.GetByTestId("signin-error");
        await Assertions.Expect(error).ToContainTextAsync("has no role in Rose Console");
        await Assertions.Expect(error).ToContainTextAsync("marketing");
        Assert.DoesNotContain(await context.CookiesAsync(), c => c.Name.StartsWith("rose.auth", StringComparison.Ordinal));
    }
}

[CollectionDefinition("oidc-e2e")]
public sealed class OidcE2ECollection : ICollectionFixture<OidcSignInFixture>
{
}
