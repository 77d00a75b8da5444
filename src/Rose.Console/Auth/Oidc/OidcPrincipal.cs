using Microsoft.IdentityModel.JsonWebTokens;

namespace Rose.Console.Auth.Oidc;

/// <summary>A sign-in the console refuses, with a message safe to show the person signing in.</summary>
public sealed class OidcSignInException(string userMessage, Exception? inner = null) : Exception(userMessage, inner);

/// <summary>
/// Rose's own rule for who a validated id_token is: subject, display name, the issuer, and the
/// cumulative Rose roles its provider roles map to. The framework handler has checked signature,
/// issuer, audience, lifetime and nonce before this runs.
/// </summary>
public static class OidcPrincipal
{
    /// <summary>Rose's principal for a validated token; refuses when none of the provider roles maps to a Rose role.</summary>
    public static ClaimsPrincipal From(JsonWebToken token, string roleClaim, IReadOnlyDictionary<string, string> roleMap)
    {
        var subject = token.Subject;
        if (string.IsNullOrEmpty(subject))
        {
            throw new OidcSignInException("The identity provider's token has no subject (sub).");
        }

        var name = Claim(token, "name") ?? Claim(token, "preferred_username") ?? Claim(token, "email") ?? subject;
        var providerRoles = OidcRoleClaim.Read(token, roleClaim);
        var roles = MapRoles(providerRoles, roleMap);
        if (roles.Count == 0)
        {
            var shown = providerRoles.Count == 0 ? "none" : string.Join(", ", providerRoles);
            throw new OidcSignInException(
                $"{name} is signed in at the identity provider but has no role in Rose Console. Provider roles in '{roleClaim}': {shown}. " +
                "An administrator maps provider roles to Rose roles under Rose:Auth:Oidc:RoleMap.");
        }

        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, subject),
            new(ClaimTypes.Name, name),
            new(RoseClaims.Kind, "human"),
            new(RoseClaims.Provider, token.Issuer),
        };
        claims.AddRange(roles.Select(r => new Claim(ClaimTypes.Role, r)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, RoseAuthExtensions.CookieScheme, ClaimTypes.Name, ClaimTypes.Role));
    }

    /// <summary>Each mapped provider role brings its Rose role and every role below it.</summary>
    public static IReadOnlyList<string> MapRoles(IEnumerable<string> providerRoles, IReadOnlyDictionary<string, string> roleMap)
    {
        var map = new Dictionary<string, string>(roleMap, StringComparer.OrdinalIgnoreCase);
        var granted = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var providerRole in providerRoles)
        {
            if (map.TryGetValue(providerRole, out var roseRole))
            {
                granted.UnionWith(RoseRoles.Including(roseRole));
            }
        }

        return RoseRoles.Human.Where(granted.Contains).ToList();
    }

    private static string? Claim(JsonWebToken token, string type) =>
        token.TryGetPayloadValue<string>(type, out var value) && !string.IsNullOrWhiteSpace(value) ? value : null;
}
