using Microsoft.Extensions.Configuration;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Rose.Console.Auth;
using Rose.Console.Auth.Oidc;

namespace Rose.Console.Tests;

/// <summary>Rose:Auth:Oidc is checked at start with messages naming the key; provider roles map to cumulative Rose roles.</summary>
[Collection("postgres")]
public sealed class OidcConfigurationTests(PostgresServerFixture pg)
{
    [Theory]
    [InlineData("http://idp.example.com", "rose-console", "Rose:Auth:Oidc:Authority must be an absolute https URL")]
    [InlineData("idp.example.com", "rose-console", "Rose:Auth:Oidc:Authority must be an absolute https URL")]
    [InlineData("https://idp.example.com", null, "Rose:Auth:Oidc:ClientId is required when Rose:Auth:Oidc:Authority is set.")]
    public async Task Startup_BadOidcSetting_FailsNamingTheKey(string authority, string? clientId, string expected)
    {
        // When start-up fails, WebApplicationFactory disposes the half-built host; under load its
        // own teardown can race and surface "Cannot access a disposed object" instead of the
        // validation error that stopped start-up. That is the factory's exception, not Rose's, so
        // the start is tried again (a few times at most) until the real reason comes through.
        var message = "";
        for (var attempt = 0; attempt < 3; attempt++)
        {
            await using var app = await RoseAppFactory.CreateAsync(pg, extra: new Dictionary<string, string?>
            {
                ["Rose:Auth:Oidc:Authority"] = authority,
                ["Rose:Auth:Oidc:ClientId"] = clientId,
                ["Rose:Auth:Oidc:RoleMap:rose-admins"] = "admin",
            });

            message = Flatten(Assert.ThrowsAny<Exception>(() => app.CreateClient()));
            if (!message.Contains("Cannot access a disposed object", StringComparison.Ordinal))
            {
                break;
            }
        }

        Assert.Contains(expected, message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Rose:Auth:Oidc:RoleMap:rose-admins", "superuser", "Rose:Auth:Oidc:RoleMap:rose-admins")]
    [InlineData("Rose:Auth:Oidc:Scopes", "profile email", "Rose:Auth:Oidc:Scopes")]
    [InlineData("Rose:Auth:DevUsers:zed:Role", "root", "Rose:Auth:DevUsers:zed:Role")]
    public void Validator_BadValue_NamesTheKey(string key, string value, string expectedKey)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Rose:Auth:Oidc:Authority"] = "https://idp.example.com",
            ["Rose:Auth:Oidc:ClientId"] = "rose-console",
            ["Rose:Auth:Oidc:RoleMap:staff"] = "viewer",
            [key] = value,
        }).Build();
        var options = new RoseAuthOptions();
        ConfigurationBinder.Bind(configuration.GetSection(RoseAuthOptions.SectionName), options);

        var result = new RoseAuthOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.Contains(expectedKey, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(new[] { "rose-approvers" }, new[] { "viewer", "operator", "approver" })]
    [InlineData(new[] { "staff", "rose-admins" }, new[] { "viewer", "operator", "approver", "admin" })]
    [InlineData(new[] { "STAFF" }, new[] { "viewer" })]
    [InlineData(new[] { "marketing" }, new string[0])]
    public void MapRoles_ProviderRoles_AreCumulativeRoseRoles(string[] providerRoles, string[] expected)
    {
        var map = new Dictionary<string, string> { ["rose-approvers"] = "approver", ["rose-admins"] = "admin", ["staff"] = "viewer" };

        Assert.Equal(expected, OidcPrincipal.MapRoles(providerRoles, map));
    }

    [Theory]
    [InlineData("[\"rose-approvers\", \"x\"]")]
    [InlineData("\"rose-approvers\"")]
    public void ToPrincipal_RoleClaimArrayOrString_MapsAndSetsRoseClaims(string rolesJson)
    {
        var token = Token($"{{\"iss\":\"https://idp.example.com\",\"sub\":\"u-1\",\"preferred_username\":\"ada\",\"groups\":{rolesJson}}}");

        var principal = OidcPrincipal.From(token, "groups", new Dictionary<string, string> { ["rose-approvers"] = "approver" });

        Assert.Equal("u-1", principal.FindFirst(System.Security.Claims.ClaimTypes.NameIdentifier)!.Value);
        Assert.Equal("ada", principal.Identity!.Name);
        Assert.Equal("human", principal.FindFirst(RoseClaims.Kind)!.Value);
        Assert.Equal("https://idp.example.com", principal.FindFirst(RoseClaims.Provider)!.Value);
        Assert.True(principal.IsInRole("approver") && principal.IsInRole("operator") && principal.IsInRole("viewer"));
        Assert.False(principal.IsInRole("admin"));
    }

    [Fact]
    public void ToPrincipal_NoMappedRole_RefusesWithAClearMessage()
    {
        var token = Token("{\"sub\":\"u-2\",\"name\":\"Eve\",\"roles\":[\"marketing\"]}");
        var ex = Assert.Throws<OidcSignInException>(() => OidcPrincipal.From(token, "roles", new Dictionary<string, string> { ["rose-admins"] = "admin" }));

        Assert.Contains("Eve", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Rose:Auth:Oidc:RoleMap", ex.Message, StringComparison.Ordinal);
    }

    private static JsonWebToken Token(string payloadJson) =>
        new(Base64UrlEncoder.Encode("{\"alg\":\"none\"}") + "." + Base64UrlEncoder.Encode(payloadJson) + ".");

    private static string Flatten(Exception ex)
    {
        var parts = new List<string>();
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            parts.Add(e.Message);
        }

        return string.Join(" | ", parts);
    }
}
