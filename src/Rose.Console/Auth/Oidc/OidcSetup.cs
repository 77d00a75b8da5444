using System.Net;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OAuth;
using Microsoft.Extensions.Options;

namespace Rose.Console.Auth.Oidc;

/// <summary>Registers the OIDC scheme and maps its routes: /oidc/login (challenge) and the signed-out page.</summary>
public static class OidcSetup
{
    public static AuthenticationBuilder AddRoseOidc(this AuthenticationBuilder builder, OidcOptions oidc)
    {
        builder.Services.AddSingleton(_ => new OidcDiscovery(oidc.Authority!));
        builder.Services.AddSingleton<OidcIdTokenValidator>();
        builder.AddOAuth<OidcAuthOptions, OidcAuthHandler>(OidcAuthOptions.SchemeName, "OpenID Connect", o =>
        {
            o.ClientId = oidc.ClientId ?? string.Empty;
            o.ClientSecret = oidc.ClientSecret ?? string.Empty;
            // Placeholders the OAuth base never uses: the handler takes both from discovery.
            o.AuthorizationEndpoint = oidc.Authority!;
            o.TokenEndpoint = oidc.Authority!;
            o.CallbackPath = OidcAuthOptions.CallbackRoute;
            o.SignInScheme = RoseAuthExtensions.CookieScheme;
            o.UsePkce = true;
            o.SaveTokens = false;
            o.RoleClaim = oidc.RoleClaim;
            o.RoleMap = new Dictionary<string, string>(oidc.RoleMap, StringComparer.OrdinalIgnoreCase);
            o.Scope.Clear();
            foreach (var scope in oidc.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                o.Scope.Add(scope);
            }

            // The provider sends the browser back with a top-level GET, which Lax cookies survive;
            // SameAsRequest keeps a plain-http loopback provider usable in tests.
            o.CorrelationCookie.SameSite = SameSiteMode.Lax;
            o.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.RemoteAuthenticationTimeout = TimeSpan.FromMinutes(10);
            o.Events = new OAuthEvents { OnRemoteFailure = OnRemoteFailureAsync };
        });
        return builder;
    }

    public static void MapRoseOidc(this WebApplication app)
    {
        app.MapGet("/oidc/login", (string? returnUrl) => Results.Challenge(
            new AuthenticationProperties { RedirectUri = RoseAuthExtensions.SafeReturnUrl(returnUrl) },
            [OidcAuthOptions.SchemeName])).AllowAnonymous();
    }

    /// <summary>Where to send the browser after the cookie is gone: the provider's end_session_endpoint, or null.</summary>
    public static async Task<string?> EndSessionUrlAsync(HttpContext ctx, string? idToken, CancellationToken ct)
    {
        var discovery = ctx.RequestServices.GetService<OidcDiscovery>();
        if (discovery is null)
        {
            return null;
        }

        var config = await discovery.GetAsync(ct);
        if (string.IsNullOrEmpty(config.EndSessionEndpoint))
        {
            return null;
        }

        var clientId = ctx.RequestServices.GetRequiredService<IOptionsMonitor<OidcAuthOptions>>().Get(OidcAuthOptions.SchemeName).ClientId;
        var parameters = new Dictionary<string, string?>
        {
            ["client_id"] = clientId,
            ["post_logout_redirect_uri"] = $"{ctx.Request.Scheme}://{ctx.Request.Host}{ctx.Request.PathBase}/signed-out",
        };
        if (!string.IsNullOrEmpty(idToken))
        {
            parameters["id_token_hint"] = idToken;
        }

        return Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString(config.EndSessionEndpoint, parameters);
    }

    /// <summary>A refused sign-in gets a plain page saying why, and no session.</summary>
    private static async Task OnRemoteFailureAsync(RemoteFailureContext context)
    {
        var message = context.Failure switch
        {
            OidcSignInException e => e.Message,
            { InnerException: OidcSignInException e } => e.Message,
            _ when context.Request.Query.ContainsKey("error") =>
                $"The identity provider refused the sign-in ({context.Request.Query["error"]}).",
            _ => "This sign-in attempt expired or was started in another browser. Start again.",
        };
        context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Rose.Auth.Oidc")
            .LogWarning("OIDC sign-in refused: {Message}", message);
        context.HandleResponse();
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.WriteAsync(SignInErrorPage(message), context.HttpContext.RequestAborted);
    }

    public static string SignInErrorPage(string message) =>
        "<!doctype html><html><head><title>Rose: sign-in refused</title><link rel=\"stylesheet\" href=\"/assets/css/rose.css\"></head>" +
        "<body class=\"rose-signin\"><main><h1>Sign-in refused</h1>" +
        $"<p data-testid=\"signin-error\">{WebUtility.HtmlEncode(message)}</p>" +
        "<p>You are not signed in to Rose Console. <a href=\"/oidc/login\">Try again</a></p></main></body></html>";
}
