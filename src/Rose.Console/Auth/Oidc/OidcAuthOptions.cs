using Microsoft.AspNetCore.Authentication.OAuth;

namespace Rose.Console.Auth.Oidc;

/// <summary>
/// Options of Rose's OpenID Connect handler. The OAuth base class wants endpoints up front; Rose
/// takes them from the provider's discovery document on each challenge instead, so a provider
/// that moves its endpoints or rotates its keys needs no restart.
/// </summary>
public sealed class OidcAuthOptions : OAuthOptions
{
    public const string SchemeName = "oidc";

    /// <summary>Where the provider redirects back with the authorization code; register this with the provider.</summary>
    public const string CallbackRoute = "/oidc/callback";

    /// <summary>
    /// Provider roles or groups claim, read from the id_token (a string or an array): a claim name, or a
    /// dotted path into nested claims such as Keycloak's realm_access.roles (see <see cref="OidcRoleClaim"/>).
    /// </summary>
    public string RoleClaim { get; set; } = "roles";

    /// <summary>Provider role or group → Rose role.</summary>
    public IReadOnlyDictionary<string, string> RoleMap { get; set; } = new Dictionary<string, string>();

    /// <summary>Tolerated clock difference with the provider when checking exp and nbf.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The OAuth base requires a client secret and fixed endpoints; a public client with PKCE has
    /// no secret and Rose discovers the endpoints, so only what Rose itself needs is checked here.
    /// </summary>
    public override void Validate()
    {
        if (string.IsNullOrEmpty(ClientId))
        {
            throw new InvalidOperationException("Rose:Auth:Oidc:ClientId is required when Rose:Auth:Oidc:Authority is set.");
        }

        if (!CallbackPath.HasValue)
        {
            throw new InvalidOperationException("The OIDC callback path is not set.");
        }

        if (string.IsNullOrEmpty(SignInScheme))
        {
            throw new InvalidOperationException("The OIDC handler needs a sign-in scheme.");
        }
    }
}
