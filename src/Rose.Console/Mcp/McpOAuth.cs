using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.JsonWebTokens;
using Rose.Console.Auth.Oidc;

namespace Rose.Console.Mcp;

/// <summary>
/// OAuth for people's MCP clients (RFC 9728): with Rose:Auth:Oidc:Authority and :McpResource set,
/// /mcp publishes protected resource metadata naming the OIDC provider, answers 401 with a
/// WWW-Authenticate resource_metadata pointer, and accepts the provider's JWT access tokens whose
/// audience is the McpResource URL. A token becomes a person exactly as sign-in makes one
/// (<see cref="OidcPrincipal"/>: subject, name, issuer, roles through RoleMap; no mapped role, no
/// access), so what a person may do over MCP follows their role and the audit names them.
/// </summary>
public static class McpOAuth
{
    public const string SchemeName = "mcp-oauth";

    /// <summary>The RFC 9728 well-known prefix; the resource's path follows it.</summary>
    public const string MetadataPrefix = "/.well-known/oauth-protected-resource";

    public static bool IsEnabled(OidcOptions oidc) =>
        oidc.Enabled && !string.IsNullOrWhiteSpace(oidc.McpResource) && OidcAuthorities.IsAcceptable(oidc.Authority!)
        && McpResourceProblem(oidc.McpResource) is null;

    /// <summary>Why a Rose:Auth:Oidc:McpResource value cannot be the resource identifier, or null.</summary>
    public static string? McpResourceProblem(string? resource) =>
        string.IsNullOrWhiteSpace(resource) ? null
        : !Uri.TryCreate(resource, UriKind.Absolute, out var uri) || !(uri.Scheme == Uri.UriSchemeHttps || OidcAuthorities.IsLoopbackHttp(resource))
            ? "must be the absolute https URL of /mcp as clients reach it (http only on localhost and 127.0.0.1)"
        : !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment) ? "must not have a query or fragment"
        : null;

    /// <summary>Where the metadata of <paramref name="resource"/> lives: the well-known prefix between host and path (RFC 9728, 3.1).</summary>
    public static Uri MetadataUrl(string resource)
    {
        var uri = new Uri(resource);
        return new Uri(uri.GetLeftPart(UriPartial.Authority) + MetadataPrefix + uri.AbsolutePath.TrimEnd('/'));
    }

    public static AuthenticationBuilder AddRoseMcpOAuth(this AuthenticationBuilder builder, OidcOptions oidc)
    {
        var authority = oidc.Authority!.TrimEnd('/');
        var resource = oidc.McpResource!;
        var roleClaim = oidc.RoleClaim;
        var roleMap = new Dictionary<string, string>(oidc.RoleMap, StringComparer.OrdinalIgnoreCase);
        var metadata = MetadataUrl(resource).ToString();
        builder.AddJwtBearer(SchemeName, o =>
        {
            o.Authority = authority;
            o.RequireHttpsMetadata = !OidcAuthorities.IsLoopbackHttp(authority);
            o.MapInboundClaims = false;
            // The token must be meant for this resource: a token the same provider issued for another API is refused.
            o.TokenValidationParameters.ValidAudiences = [resource, resource.TrimEnd('/')];
            o.TokenValidationParameters.ClockSkew = OidcSetup.ClockSkew;
            o.TokenValidationParameters.RequireExpirationTime = true;
            o.TokenValidationParameters.RequireSignedTokens = true;
            o.RefreshOnIssuerKeyNotFound = true;
            o.Events = new JwtBearerEvents
            {
                OnMessageReceived = context =>
                {
                    // Only a JWT is tried here; an agent key is the API key handler's.
                    var token = BearerToken(context.Request);
                    if (token is null || token.Count(c => c == '.') != 2)
                    {
                        context.NoResult();
                    }

                    return Task.CompletedTask;
                },
                OnTokenValidated = context =>
                {
                    try
                    {
                        context.Principal = OidcPrincipal.From((JsonWebToken)context.SecurityToken, roleClaim, roleMap);
                    }
                    catch (OidcSignInException ex)
                    {
                        context.Fail(ex.Message);
                    }

                    return Task.CompletedTask;
                },
                OnChallenge = context =>
                {
                    // The agent-key scheme writes the 401 and its problem document; this only tells an OAuth client
                    // where to find the provider. OnStarting runs after that scheme set its own header.
                    context.HandleResponse();
                    var error = context.AuthenticateFailure is null ? string.Empty : ", error=\"invalid_token\"";
                    context.Response.OnStarting(() =>
                    {
                        if (context.Response.StatusCode == StatusCodes.Status401Unauthorized)
                        {
                            context.Response.Headers.WWWAuthenticate = $"Bearer resource_metadata=\"{metadata}\"{error}";
                        }

                        return Task.CompletedTask;
                    });
                    return Task.CompletedTask;
                },
            };
        });
        return builder;
    }

    /// <summary>GET the metadata at the RFC 9728 path of the resource (and at the bare prefix, for clients that try it first).</summary>
    public static void MapMcpOAuthMetadata(this WebApplication app, OidcOptions oidc)
    {
        var resource = oidc.McpResource!;
        var document = new JsonObject
        {
            ["resource"] = resource,
            ["authorization_servers"] = new JsonArray(oidc.Authority!.TrimEnd('/')),
            ["bearer_methods_supported"] = new JsonArray("header"),
            ["resource_name"] = "Rose Console MCP",
        };
        var scopes = oidc.McpScopes.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (scopes.Length > 0)
        {
            document["scopes_supported"] = new JsonArray([.. scopes.Select(s => (JsonNode)s)]);
        }

        var json = document.ToJsonString();
        foreach (var path in new[] { MetadataUrl(resource).AbsolutePath, MetadataPrefix }.Distinct(StringComparer.Ordinal))
        {
            app.MapGet(path, () => Results.Text(json, "application/json")).AllowAnonymous().ExcludeFromDescription();
        }
    }

    private static string? BearerToken(HttpRequest request)
    {
        string? header = request.Headers.Authorization;
        return header is not null && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }
}
