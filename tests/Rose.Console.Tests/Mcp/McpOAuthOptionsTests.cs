using Rose.Console.Auth;
using Rose.Console.Mcp;

namespace Rose.Console.Tests.Mcp;

/// <summary>Rose:Auth:Oidc:McpResource at start: each mistake is named by its key; OAuth on /mcp only when it is sound.</summary>
public sealed class McpOAuthOptionsTests
{
    private static OidcOptions Oidc(string? authority, string? resource) => new()
    {
        Authority = authority,
        ClientId = authority is null ? null : "rose-console",
        McpResource = resource,
        RoleMap = new(StringComparer.OrdinalIgnoreCase) { ["staff"] = "viewer" },
    };

    [Theory]
    [InlineData("https://idp.example.com", "http://rose.example.com/mcp", "Rose:Auth:Oidc:McpResource 'http://rose.example.com/mcp' must be the absolute https URL")]
    [InlineData("https://idp.example.com", "/mcp", "Rose:Auth:Oidc:McpResource '/mcp' must be the absolute https URL")]
    [InlineData("https://idp.example.com", "https://rose.example.com/mcp?x=1", "Rose:Auth:Oidc:McpResource 'https://rose.example.com/mcp?x=1' must not have a query or fragment")]
    [InlineData(null, "https://rose.example.com/mcp", "Rose:Auth:Oidc:Authority is required when Rose:Auth:Oidc:McpResource is set")]
    public void BadResource_IsRefusedAtStart_NamingTheKey(string? authority, string resource, string expected)
    {
        var result = new RoseAuthOptionsValidator().Validate(null, new RoseAuthOptions { Oidc = Oidc(authority, resource) });
        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith(expected, StringComparison.Ordinal));
        Assert.False(McpOAuth.IsEnabled(Oidc(authority, resource)));
    }

    [Theory]
    [InlineData("https://rose.example.com/mcp", "https://rose.example.com/.well-known/oauth-protected-resource/mcp")]
    [InlineData("https://rose.example.com/tools/mcp/", "https://rose.example.com/.well-known/oauth-protected-resource/tools/mcp")]
    [InlineData("http://127.0.0.1:5080/mcp", "http://127.0.0.1:5080/.well-known/oauth-protected-resource/mcp")]
    public void MetadataUrl_PutsTheWellKnownPrefixBetweenHostAndPath(string resource, string expected)
    {
        Assert.Equal(expected, McpOAuth.MetadataUrl(resource).ToString());
        Assert.True(McpOAuth.IsEnabled(Oidc("https://idp.example.com", resource)));
    }

    [Fact]
    public void NoResource_LeavesMcpOnAgentKeys()
    {
        Assert.False(McpOAuth.IsEnabled(Oidc("https://idp.example.com", null)));
        Assert.True(new RoseAuthOptionsValidator().Validate(null, new RoseAuthOptions { Oidc = Oidc("https://idp.example.com", null) }).Succeeded);
    }
}
