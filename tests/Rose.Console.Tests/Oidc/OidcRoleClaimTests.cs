using System.Security.Claims;
using Microsoft.Extensions.Configuration;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Rose.Console.Auth;
using Rose.Console.Auth.Oidc;

namespace Rose.Console.Tests.Oidc;

/// <summary>Rose:Auth:Oidc:RoleClaim as a claim name or a dotted path into nested (Keycloak-style) claims.</summary>
public sealed class OidcRoleClaimTests
{
    private const string Keycloak = """
        {"sub":"u-1","name":"Kim",
         "realm_access":{"roles":["rose-admins","offline_access"]},
         "resource_access":{"rose-console":{"roles":["rose-approvers"]},"account":{"roles":["manage-account"]},
                            "rose.console":{"roles":["dotted-client"]}},
         "roles":["flat-role"],
         "https://rose.example/roles":"url-role",
         "single":{"role":"just-one"},
         "mixed":{"roles":["ok",1,null,{"x":"y"},["nested"],"","also-ok"]},
         "gateway":"{\"roles\":[\"from-string\"]}",
         "broken":"{\"roles\":[\"never\"",
         "number":42}
        """;

    public static TheoryData<string, string[]> Paths => new()
    {
        { "roles", ["flat-role"] },
        { "realm_access.roles", ["rose-admins", "offline_access"] },
        { "resource_access.rose-console.roles", ["rose-approvers"] },
        { "resource_access.rose.console.roles", ["dotted-client"] }, // a client name with a dot is found whole
        { "https://rose.example/roles", ["url-role"] },              // a namespaced claim name is not split
        { "single.role", ["just-one"] },                              // a single string
        { "mixed.roles", ["ok", "also-ok"] },                         // only non-empty strings count
        { "gateway.roles", ["from-string"] },                         // a nested claim passed on as a JSON string
        { "broken.roles", [] },                                       // malformed JSON in that string
        { "realm_access.missing", [] },
        { "resource_access.other-client.roles", [] },
        { "nothing.here.at.all", [] },
        { "realm_access", [] },                                       // an object is not a role
        { "number", [] },
        { "number.roles", [] },
        { "realm_access.roles.extra", [] },                           // past the end of an array
    };

    [Theory]
    [MemberData(nameof(Paths))]
    public void Read_Path_FindsExactlyTheseRoles(string path, string[] expected)
    {
        Assert.Equal(expected, OidcRoleClaim.Read(Token(Keycloak), path));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("{\"realm_access\":")]
    [InlineData("[\"rose-admins\"]")]
    [InlineData("\"rose-admins\"")]
    public void Read_PayloadNotAnObject_NoRoles(string payload)
    {
        Assert.Empty(OidcRoleClaim.Read(payload, "realm_access.roles"));
        Assert.Empty(OidcRoleClaim.Read(payload, "roles"));
    }

    [Fact]
    public void Read_DeeplyNestedStringsInStrings_StopsWithoutRoles()
    {
        // Each level doubles the escaping, so 12 levels stay small while going past the walk's depth limit.
        var relaxed = new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        string Wrap(string inner, int levels) => levels == 0 ? inner : Wrap("{\"a\":" + System.Text.Json.JsonSerializer.Serialize(inner, relaxed) + "}", levels - 1);
        string Path(int levels) => string.Join('.', Enumerable.Repeat("a", levels)) + ".roles";
        const string leaf = "{\"roles\":[\"x\"]}";

        Assert.Equal(["x"], OidcRoleClaim.Read(Wrap(leaf, 2), Path(2)));
        Assert.Empty(OidcRoleClaim.Read(Wrap(leaf, 12), Path(12)));
    }

    [Theory]
    [InlineData("realm_access.roles", new[] { "viewer", "operator", "approver", "admin" })]
    [InlineData("resource_access.rose-console.roles", new[] { "viewer", "operator", "approver" })]
    public void ToPrincipal_NestedRoleClaim_MapsToRoseRoles(string roleClaim, string[] expected)
    {
        var principal = OidcPrincipal.From(Token(Keycloak), roleClaim, RoleMap);

        Assert.Equal(expected, principal.FindAll(ClaimTypes.Role).Select(c => c.Value));
        Assert.Equal("u-1", principal.FindFirstValue(ClaimTypes.NameIdentifier));
    }

    [Theory]
    [InlineData("realm_access.missing")]
    [InlineData("broken.roles")]
    [InlineData("resource_access.account.roles")]
    public void ToPrincipal_PathWithoutMappedRoles_RefusesSignIn(string roleClaim)
    {
        var ex = Assert.Throws<OidcSignInException>(() => OidcPrincipal.From(Token(Keycloak), roleClaim, RoleMap));

        Assert.Contains($"Provider roles in '{roleClaim}'", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("realm_access..roles")]
    [InlineData(".roles")]
    [InlineData("realm_access.")]
    [InlineData("realm access.roles")]
    [InlineData(" ")]
    public void Validator_BadRoleClaim_NamesTheKey(string roleClaim)
    {
        var failures = Validate(roleClaim);

        Assert.Contains(failures, f => f.StartsWith("Rose:Auth:Oidc:RoleClaim", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("roles")]
    [InlineData("realm_access.roles")]
    [InlineData("resource_access.rose-console.roles")]
    [InlineData("https://rose.example/roles")]
    public void Validator_GoodRoleClaim_Passes(string roleClaim)
    {
        Assert.Empty(Validate(roleClaim));
    }

    private static readonly Dictionary<string, string> RoleMap =
        new() { ["rose-admins"] = "admin", ["rose-approvers"] = "approver", ["manage-account-x"] = "viewer" };

    private static IReadOnlyList<string> Validate(string roleClaim)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Rose:Auth:Oidc:Authority"] = "https://idp.example.com",
            ["Rose:Auth:Oidc:ClientId"] = "rose-console",
            ["Rose:Auth:Oidc:RoleMap:staff"] = "viewer",
            ["Rose:Auth:Oidc:RoleClaim"] = roleClaim,
        }).Build();
        var options = new RoseAuthOptions();
        ConfigurationBinder.Bind(configuration.GetSection(RoseAuthOptions.SectionName), options);
        var result = new RoseAuthOptionsValidator().Validate(null, options);
        return result.Failures?.ToList() ?? [];
    }

    private static JsonWebToken Token(string payloadJson) =>
        new(Base64UrlEncoder.Encode("{\"alg\":\"none\"}") + "." + Base64UrlEncoder.Encode(payloadJson) + ".");
}
