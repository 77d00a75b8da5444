using System.Net;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Rose.Console.Auth.Oidc;

/// <summary>
/// Registers the framework's OpenID Connect handler (code flow with PKCE, discovery, key rotation,
/// nonce, end-session) under the "oidc" scheme, with Rose's rules hooked into its events
/// (<see cref="OidcEvents"/>), and maps /oidc/login.
/// </summary>
public static class OidcSetup
{
    public const string SchemeName = "oidc";

    /// <summary>Where the provider redirects back with the authorization code; register this with the provider.</summary>
    public const string CallbackRoute = "/oidc/callback";

    /// <summary>Where the provider sends the browser after sign-out; register this with the provider.</summary>
    public const string SignedOutRoute = "/signed-out";

    /// <summary>Tolerated clock difference with the provider when checking exp and nbf.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(1);

    public static AuthenticationBuilder AddRoseOidc(this AuthenticationBuilder builder, OidcOptions oidc)
    {
        var authority = oidc.Authority!.TrimEnd('/');
        var requireHttps = !OidcAuthorities.IsLoopbackHttp(authority);
        var roleMap = new Dictionary<string, string>(oidc.RoleMap, StringComparer.OrdinalIgnoreCase);
        // IdentityModel 8 refreshes the JWKS in the background after an unknown kid, so the token that
        // named the new key would still be refused. Blocking refresh lets validation fetch the rotated
        // keys and validate again within the same sign-in.
        AppContext.SetSwitch("Switch.Microsoft.IdentityModel.UpdateConfigAsBlocking", true);
        builder.AddOpenIdConnect(SchemeName, "OpenID Connect", o =>
        {
            o.Authority = authority;
            o.RequireHttpsMetadata = requireHttps;
            o.ClientId = oidc.ClientId;
            // Null for a public client: PKCE alone then protects the code.
            o.ClientSecret = string.IsNullOrEmpty(oidc.ClientSecret) ? null : oidc.ClientSecret;
            o.ResponseType = OpenIdConnectResponseType.Code;
            // A top-level GET back to the console, which Lax cookies survive (form_post would need SameSite=None).
            o.ResponseMode = OpenIdConnectResponseMode.Query;
            o.UsePkce = true;
            o.CallbackPath = CallbackRoute;
            // The provider returns here after sign-out; the handler checks the state and sends the
            // browser on to the plain signed-out page (OidcEvents lets a request without state through).
            o.SignedOutCallbackPath = SignedOutRoute;
            o.SignedOutRedirectUri = SignedOutRoute;
            o.SignInScheme = RoseAuthExtensions.CookieScheme;
            o.SignOutScheme = RoseAuthExtensions.CookieScheme;
            o.GetClaimsFromUserInfoEndpoint = false;
            // Rose keeps only the id_token (for id_token_hint at sign-out), stored by OidcEvents; no access token in the cookie.
            o.SaveTokens = false;
            o.MapInboundClaims = false;
            o.Scope.Clear();
            foreach (var scope in oidc.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                o.Scope.Add(scope);
            }

            o.TokenValidationParameters.ValidAudience = oidc.ClientId;
            o.TokenValidationParameters.ClockSkew = ClockSkew;
            o.TokenValidationParameters.RequireExpirationTime = true;
            o.TokenValidationParameters.RequireSignedTokens = true;
            o.RefreshOnIssuerKeyNotFound = true;
            o.ConfigurationManager = ConfigurationManagerFor(authority, requireHttps);

            // The provider sends the browser back with a top-level GET; SameAsRequest keeps a plain-http loopback provider usable in tests.
            foreach (var cookie in new[] { o.CorrelationCookie, o.NonceCookie })
            {
                cookie.SameSite = SameSiteMode.Lax;
                cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            }

            o.RemoteAuthenticationTimeout = TimeSpan.FromMinutes(10);
            o.Events = OidcEvents.Create(oidc.RoleClaim, roleMap);
        });
        return builder;
    }

    /// <summary>
    /// The discovery document and JWKS, cached and refreshed by IdentityModel. When an id_token names a
    /// key the cached JWKS lacks, token validation asks this manager for a refresh and validates again,
    /// so a provider that rotates its keys needs no restart. id_tokens arrive only over the back channel
    /// from the token endpoint, so outsiders cannot force refetches with made-up kids; a short interval is safe.
    /// </summary>
    private static ConfigurationManager<OpenIdConnectConfiguration> ConfigurationManagerFor(string authority, bool requireHttps)
    {
        var http = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
        http.DefaultRequestHeaders.UserAgent.ParseAdd("RoseConsole");
        return new ConfigurationManager<OpenIdConnectConfiguration>(
            authority + "/.well-known/openid-configuration",
            new OpenIdConnectConfigurationRetriever(),
            new HttpDocumentRetriever(http) { RequireHttps = requireHttps })
        {
            RefreshInterval = TimeSpan.FromSeconds(1),
            AutomaticRefreshInterval = TimeSpan.FromHours(12),
        };
    }

    public static void MapRoseOidc(this WebApplication app)
    {
        app.MapGet("/oidc/login", async (HttpContext ctx, string? returnUrl, ILoggerFactory loggers) =>
        {
            try
            {
                await ctx.ChallengeAsync(SchemeName, new AuthenticationProperties { RedirectUri = RoseAuthExtensions.SafeReturnUrl(returnUrl) });
            }
            catch (InvalidOperationException ex) when (!ctx.Response.HasStarted)
            {
                // The handler reads the discovery document first; IdentityModel wraps network and document errors in InvalidOperationException.
                var authority = ctx.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<OpenIdConnectOptions>>().Get(SchemeName).Authority;
                loggers.CreateLogger("Rose.Auth.Oidc").LogError(ex, "The OIDC discovery document of {Authority} could not be read", authority);
                ctx.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                ctx.Response.ContentType = "text/html; charset=utf-8";
                await ctx.Response.WriteAsync(SignInErrorPage(
                    $"The identity provider at {authority} cannot be reached right now. Try again in a moment."), ctx.RequestAborted);
            }
        }).AllowAnonymous();
    }

    public static string SignInErrorPage(string message) =>
        "<!doctype html><html><head><title>Rose: sign-in refused</title><link rel=\"stylesheet\" href=\"/assets/css/rose.css\"></head>" +
        "<body class=\"rose-signin\"><main><h1>Sign-in refused</h1>" +
        $"<p data-testid=\"signin-error\">{WebUtility.HtmlEncode(message)}</p>" +
        "<p>You are not signed in to Rose Console. <a href=\"/oidc/login\">Try again</a></p></main></body></html>";
}
