namespace Rose.Console.Tests;

[Collection("postgres")]
public sealed class HostTests(PostgresServerFixture pg, SharedRoseApp shared) : SharedHostTest(pg, shared)
{
    [Theory]
    [InlineData("/healthz")]
    [InlineData("/readyz")]
    public async Task HealthEndpoints_Anonymous_Answer200(string path)
    {
        using var client = await App.ClientAsync();

        var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Home_Anonymous_RedirectsToSignIn()
    {
        using var client = await App.ClientAsync();

        var response = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/signin", response.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Home_SignedInViaDevLogin_RendersTheConsole()
    {
        using var client = await App.ClientAsync("alice");

        var html = await client.GetStringAsync("/");

        Assert.Contains("Rose Console", html, StringComparison.Ordinal);
        Assert.Contains("Alice Operator", html, StringComparison.Ordinal);
        Assert.Contains("demo", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DevLogin_ReturnUrlElsewhere_StaysOnThisSite()
    {
        using var client = await App.ClientAsync();

        var response = await client.GetAsync("/dev/login?user=bob&returnUrl=//evil.example/");

        Assert.Equal("/", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task AdminPage_AsOperator_LandsOnAStyledRefusal_NamingTheUserRoleAndPage()
    {
        using var client = await App.ClientAsync("alice");

        var refused = await client.GetAsync("/agents");
        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        var forbidden = await client.GetAsync(refused.Headers.Location!.PathAndQuery);
        var html = await forbidden.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Contains("rose.css", html, StringComparison.Ordinal);
        Assert.Contains("<strong>Alice Operator</strong>", html, StringComparison.Ordinal);
        Assert.Contains("<strong>operator</strong>", html, StringComparison.Ordinal);
        Assert.Contains("<code>/agents</code>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ForbiddenPage_EncodesTheReturnUrl_AndShowsNoForeignAddress()
    {
        using var client = await App.ClientAsync("alice");

        var response = await client.GetAsync("/forbidden?ReturnUrl=" + Uri.EscapeDataString("/x<script>alert(1)</script>"));
        var html = await response.Content.ReadAsStringAsync();
        var elsewhere = await (await client.GetAsync("/forbidden?ReturnUrl=" + Uri.EscapeDataString("//evil.example/"))).Content.ReadAsStringAsync();

        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("evil.example", elsewhere, StringComparison.Ordinal);
        Assert.Contains("this page.", elsewhere, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenApi_Document_DescribesTheSqlApi()
    {
        using var client = await App.ClientAsync();

        var json = await client.GetStringAsync("/openapi/v1.json");

        Assert.Contains("/api/v1/sql/execute", json, StringComparison.Ordinal);
        Assert.Contains("/api/v1/sql/logs", json, StringComparison.Ordinal);
    }
}

[Collection("postgres")]
public sealed class ProductionHostTests(PostgresServerFixture pg)
{
    [Fact]
    public async Task DevLogin_OutsideDevelopment_DoesNotExist()
    {
        await using var production = await RoseAppFactory.CreateAsync(pg, environment: "Production");
        using var client = await production.ClientAsync();

        var response = await client.GetAsync("/dev/login?user=carol");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
