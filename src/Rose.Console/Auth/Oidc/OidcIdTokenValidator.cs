using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Rose.Console.Auth.Oidc;

/// <summary>A sign-in the console refuses, with a message safe to show the person signing in.</summary>
public sealed class OidcSignInException(string userMessage, Exception? inner = null) : Exception(userMessage, inner);

/// <summary>
/// Checks an id_token (signature against the provider's JWKS, issuer, audience, lifetime, nonce)
/// and turns it into Rose's principal: subject, name, cumulative Rose roles from the role map.
/// </summary>
public sealed class OidcIdTokenValidator(OidcDiscovery discovery, ILogger<OidcIdTokenValidator> logger)
{
    private readonly JsonWebTokenHandler handler = new() { MapInboundClaims = false };

    public async Task<ClaimsPrincipal> ValidateAsync(string idToken, string expectedNonce, OidcAuthOptions options, CancellationToken ct)
    {
        var config = await discovery.GetAsync(ct);
        var result = await handler.ValidateTokenAsync(idToken, Parameters(config, options));
        if (!result.IsValid && IsUnknownKey(result.Exception, idToken, config))
        {
            // The provider may have rotated its keys since the JWKS was cached: fetch it once more.
            config = await discovery.RefreshAsync(config, ct);
            result = await handler.ValidateTokenAsync(idToken, Parameters(config, options));
        }

        if (!result.IsValid)
        {
            logger.LogWarning("OIDC id_token refused: {Reason}", result.Exception?.GetType().Name ?? "invalid");
            throw new OidcSignInException(Describe(result.Exception), result.Exception);
        }

        var token = (JsonWebToken)result.SecurityToken;
        if (!token.TryGetPayloadValue<string>("nonce", out var nonce) || !FixedEquals(nonce, expectedNonce))
        {
            logger.LogWarning("OIDC id_token refused: the nonce does not match this sign-in attempt");
            throw new OidcSignInException("The identity provider's answer does not belong to this sign-in attempt (nonce mismatch). Start again.");
        }

        if (token.Audiences.Count() > 1 && (!token.TryGetPayloadValue<string>("azp", out var azp) || azp != options.ClientId))
        {
            throw new OidcSignInException("The identity provider's token was issued for another application (azp).");
        }

        return ToPrincipal(token, config.Issuer, options);
    }

    /// <summary>Rose's principal for a validated token; refuses when none of the provider roles maps to a Rose role.</summary>
    public static ClaimsPrincipal ToPrincipal(JsonWebToken token, string issuer, OidcAuthOptions options)
    {
        var subject = token.Subject;
        if (string.IsNullOrEmpty(subject))
        {
            throw new OidcSignInException("The identity provider's token has no subject (sub).");
        }

        var name = Claim(token, "name") ?? Claim(token, "preferred_username") ?? Claim(token, "email") ?? subject;
        var providerRoles = OidcRoleClaim.Read(token, options.RoleClaim);
        var roles = MapRoles(providerRoles, options.RoleMap);
        if (roles.Count == 0)
        {
            var shown = providerRoles.Count == 0 ? "none" : string.Join(", ", providerRoles);
            throw new OidcSignInException(
                $"{name} is signed in at the identity provider but has no role in Rose Console. Provider roles in '{options.RoleClaim}': {shown}. " +
                "An administrator maps provider roles to Rose roles under Rose:Auth:Oidc:RoleMap.");
        }

        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, subject),
            new(ClaimTypes.Name, name),
            new(RoseClaims.Kind, "human"),
            new(RoseClaims.Provider, issuer),
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

    private static TokenValidationParameters Parameters(OpenIdConnectConfiguration config, OidcAuthOptions options) => new()
    {
        ValidIssuer = config.Issuer,
        ValidAudience = options.ClientId,
        IssuerSigningKeys = config.SigningKeys,
        ValidateIssuer = true,
        ValidateAudience = true,
        ValidateLifetime = true,
        ValidateIssuerSigningKey = true,
        RequireExpirationTime = true,
        RequireSignedTokens = true,
        ClockSkew = options.ClockSkew,
    };

    private static bool IsUnknownKey(Exception? error, string idToken, OpenIdConnectConfiguration config)
    {
        if (error is not (SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException))
        {
            return false;
        }

        try
        {
            var kid = new JsonWebToken(idToken).Kid;
            return string.IsNullOrEmpty(kid) || config.SigningKeys.All(k => k.KeyId != kid);
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static string Describe(Exception? error) => error switch
    {
        SecurityTokenExpiredException => "The identity provider's token has expired. Sign in again; if this repeats, check the clocks of this server and the provider.",
        SecurityTokenNotYetValidException => "The identity provider's token is not valid yet. Check the clocks of this server and the provider.",
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException =>
            "The identity provider's token signature could not be verified against the provider's published keys.",
        SecurityTokenInvalidIssuerException => "The identity provider's token was issued by another issuer than Rose:Auth:Oidc:Authority.",
        SecurityTokenInvalidAudienceException => "The identity provider's token was issued for another application than Rose:Auth:Oidc:ClientId.",
        _ => "The identity provider's token is not valid.",
    };

    private static string? Claim(JsonWebToken token, string type) =>
        token.TryGetPayloadValue<string>(type, out var value) && !string.IsNullOrWhiteSpace(value) ? value : null;

    private static bool FixedEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));
}
