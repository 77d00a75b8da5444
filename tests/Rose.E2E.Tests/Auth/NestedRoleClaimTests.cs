namespace Rose.E2E.Tests.Auth;

/// <summary>A console that reads roles from a Keycloak-style nested claim, against the real provider.</summary>
public sealed class NestedRoleClaimFixture() : OidcSignInFixture(RoleClaim)
{
    /// <summary>A client name with a dash, as Keycloak clients are usually named.</summary>
    public const string RoleClaim = "resource_access.rose-console.roles";
}

[CollectionDefinition(Name)]
public sealed class NestedRoleClaimCollection : ICollectionFixture<NestedRoleClaimFixture>
{
    public const string Name = "oidc-nested-e2e";
}

[Collection(NestedRoleClaimCollection.Name)]
public sealed class NestedRoleClaimTests(NestedRoleClaimFixture fx)
{
    [Fact]
    public async Task SignIn_RolesInResourceAccess_AdminByNestedClaim_FlatRolesIgnored()
    {
        await using var context = await fx.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(30_000);

        // kim's only mapped role is resource_access.rose-console.roles = [rose-admins]; her flat roles are [marketing].
        await SignInAsync(page, "kim");
        await page.WaitForURLAsync(fx.ConsoleUrl + "/");
        await Assertions.Expect(page.GetByTestId("current-user")).ToHaveTextAsync("Kim Keycloak");
        await Assertions.Expect(page.GetByTestId("current-role")).ToHaveTextAsync("admin");

        // grace has rose-admins only in the flat claim, which this console does not read.
        await using var other = await fx.Browser.NewContextAsync();
        var refused = await other.NewPageAsync();
        refused.SetDefaultTimeout(30_000);
        await SignInAsync(refused, "grace");
        var error = refused.GetByTestId("signin-error");
        await Assertions.Expect(error).ToContainTextAsync("has no role in Rose Console");
        await Assertions.Expect(error).ToContainTextAsync($"Provider roles in '{NestedRoleClaimFixture.RoleClaim}': none");
        Assert.DoesNotContain(await other.CookiesAsync(), c => c.Name.StartsWith("rose.auth", StringComparison.Ordinal));
    }

    private async Task SignInAsync(IPage page, string login)
    {
        await page.GotoAsync(fx.ConsoleUrl + "/");
        Assert.StartsWith(fx.ProviderUrl, page.Url, StringComparison.Ordinal);
        await page.FillAsync("input[name=login]", login);
        await page.FillAsync("input[name=password]", "any-password");
        await page.ClickAsync("button[type=submit]");
    }
}
