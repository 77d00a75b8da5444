namespace Rose.Console.Auth;

/// <summary>Rose:Auth settings.</summary>
public sealed class RoseAuthOptions
{
    public const string SectionName = "Rose:Auth";

    /// <summary>Users the development login may sign in (Development only, and only without OIDC).</summary>
    public Dictionary<string, DevUser> DevUsers { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public OidcOptions Oidc { get; set; } = new();

    /// <summary>Requests per minute each agent may make to the API.</summary>
    public int AgentRequestsPerMinute { get; set; } = 600;
}

public sealed class DevUser
{
    public string? Name { get; set; }
    public string Role { get; set; } = RoseRoles.Viewer;
}

public sealed class OidcOptions
{
    public string? Authority { get; set; }
    public string? ClientId { get; set; }
    public string? ClientSecret { get; set; }
    public string Scopes { get; set; } = "openid profile email";
    public string RoleClaim { get; set; } = "roles";

    /// <summary>Provider role or group → Rose role (viewer, operator, approver, admin).</summary>
    public Dictionary<string, string> RoleMap { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public bool Enabled => !string.IsNullOrWhiteSpace(Authority);
}
