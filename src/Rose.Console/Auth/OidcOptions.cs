namespace Rose.Console.Auth;

public sealed class OidcOptions
{
    public string? Authority { get; set; }
    public string? ClientId { get; set; }
    public string? ClientSecret { get; set; }
    public string Scopes { get; set; } = "openid profile email";
    public string RoleClaim { get; set; } = "roles";

    /// <summary>Provider role or group → Rose role (viewer, operator, approver, admin).</summary>
    public Dictionary<string, string> RoleMap { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// The URL of /mcp as MCP clients reach it (e.g. https://rose.example.com/mcp). Set, people's MCP
    /// clients sign in at the provider with OAuth: it is the resource in /mcp's protected resource
    /// metadata and the audience their access tokens must carry. Empty: /mcp takes agent keys only.
    /// </summary>
    public string? McpResource { get; set; }

    /// <summary>Scopes /mcp's metadata tells MCP clients to ask the provider for (space separated; empty: none named).</summary>
    public string McpScopes { get; set; } = string.Empty;

    public bool Enabled => !string.IsNullOrWhiteSpace(Authority);
}
