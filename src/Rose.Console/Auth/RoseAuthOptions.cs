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
