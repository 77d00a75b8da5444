using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Rose.Console.Api;
using Rose.Console.Auth.Oidc;

namespace Rose.Console.Auth;

public static class RoseAuthExtensions
{
    public const string CookieScheme = CookieAuthenticationDefaults.AuthenticationScheme;

    /// <summary>The default scheme: forwards to the API key handler or the cookie, by the request's Authorization header.</summary>
    public const string IdentityScheme = "rose";

    public static IServiceCollection AddRoseAuth(this IServiceCollection services, IConfiguration configuration, IWebHostEnvironment environment)
    {
        var auth = configuration.GetSection(RoseAuthOptions.SectionName).Get<RoseAuthOptions>() ?? new RoseAuthOptions();
        services.AddOptions<RoseAuthOptions>().Bind(configuration.GetSection(RoseAuthOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RoseAuthOptions>, RoseAuthOptionsValidator>();
        services.AddSingleton<CurrentIdentity>();

        // A request with a bearer key is an agent everywhere; anything else is a browser session.
        // So an agent on a route its role does not allow gets 403, not a sign-in redirect meant for people.
        var authentication = services.AddAuthentication(IdentityScheme)
            .AddPolicyScheme(IdentityScheme, "Session cookie or API key", o => o.ForwardDefaultSelector = ctx =>
                ctx.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                    ? ApiKeyAuthenticationHandler.SchemeName
                    : CookieScheme)
            .AddCookie(CookieScheme, o =>
            {
                o.Cookie.Name = "rose.auth";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = TimeSpan.FromHours(8);
                o.SlidingExpiration = true;
                o.LoginPath = "/signin";
                o.AccessDeniedPath = "/forbidden";
                // API callers get status codes, not redirects to a sign-in page.
                o.Events.OnRedirectToLogin = ctx => ApiAware(ctx, StatusCodes.Status401Unauthorized);
                o.Events.OnRedirectToAccessDenied = ctx => ApiAware(ctx, StatusCodes.Status403Forbidden);
            })
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        // An invalid authority is reported by the options validator at start; do not wire a handler for it.
        if (auth.Oidc.Enabled && OidcAuthorities.IsAcceptable(auth.Oidc.Authority!))
        {
            authentication.AddRoseOidc(auth.Oidc);
        }

        // People's MCP clients: the same provider's access tokens on /mcp (only there; see McpOAuth).
        if (Rose.Console.Mcp.McpOAuth.IsEnabled(auth.Oidc))
        {
            Rose.Console.Mcp.McpOAuth.AddRoseMcpOAuth(authentication, auth.Oidc);
        }

        services.AddAuthorizationBuilder()
            .AddPolicy(RosePolicies.Viewer, p => p.RequireRole(RoseRoles.Viewer))
            .AddPolicy(RosePolicies.Operator, p => p.RequireRole(RoseRoles.Operator))
            .AddPolicy(RosePolicies.Approver, p => p.RequireRole(RoseRoles.Approver))
            .AddPolicy(RosePolicies.Admin, p => p.RequireRole(RoseRoles.Admin))
            .AddPolicy(RosePolicies.SqlRunner, p => p
                .AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName, CookieScheme)
                .RequireRole(RoseRoles.Operator, RoseRoles.Agent))
            .AddPolicy(RosePolicies.Reader, p => p
                .AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName, CookieScheme)
                .RequireRole(RoseRoles.Viewer, RoseRoles.Agent));

        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = async (ctx, ct) =>
            {
                if (ctx.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retry))
                {
                    ctx.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retry.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                await ApiProblems.WriteAsync(ctx.HttpContext, ApiProblems.Create(
                    StatusCodes.Status429TooManyRequests, "rate_limited", "Too many requests for this identity; retry later."));
            };
            o.AddPolicy(RateLimitPolicy, ctx =>
            {
                var who = ctx.User.FindFirstValue(ClaimTypes.NameIdentifier) ?? ctx.Connection.RemoteIpAddress?.ToString() ?? "anonymous";
                return RateLimitPartition.GetFixedWindowLimiter(who, _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = Math.Max(1, auth.AgentRequestsPerMinute),
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                });
            });
        });
        return services;
    }

    public const string RateLimitPolicy = "rose:per-identity";

    public static WebApplication MapRoseAuth(this WebApplication app)
    {
        var auth = app.Configuration.GetSection(RoseAuthOptions.SectionName).Get<RoseAuthOptions>() ?? new RoseAuthOptions();
        if (app.Environment.IsDevelopment() && !auth.Oidc.Enabled)
        {
            DevLoginEndpoints.Map(app);
        }

        if (auth.Oidc.Enabled)
        {
            app.MapRoseOidc();
        }

        var devLogin = app.Environment.IsDevelopment() && !auth.Oidc.Enabled;
        app.MapGet("/signin", (string? returnUrl) => auth.Oidc.Enabled || devLogin
            ? Results.Redirect((devLogin ? "/dev/login" : "/oidc/login") + "?returnUrl=" + Uri.EscapeDataString(SafeReturnUrl(returnUrl)))
            : Results.Content(
                "<!doctype html><title>Rose: no sign-in</title><h1>No sign-in is configured</h1>" +
                "<p>Set Rose:Auth:Oidc:Authority, ClientId and RoleMap to sign in through your identity provider.</p>",
                "text/html", statusCode: StatusCodes.Status503ServiceUnavailable))
            .AllowAnonymous();

        app.MapPost("/signout", async (HttpContext ctx, Microsoft.AspNetCore.Antiforgery.IAntiforgery antiforgery) =>
        {
            // The antiforgery middleware only flags a bad token; endpoints without form binding must refuse it themselves.
            if (!await antiforgery.IsRequestValidAsync(ctx))
            {
                return Results.BadRequest(new { status = "bad_request", error = "The form's antiforgery token is missing or invalid." });
            }

            // With OIDC, the framework handler first reads the id_token from the session cookie for
            // id_token_hint and redirects to the provider's end_session_endpoint; then the cookie goes.
            if (auth.Oidc.Enabled)
            {
                return Results.SignOut(new AuthenticationProperties { RedirectUri = OidcSetup.SignedOutRoute }, [OidcSetup.SchemeName, CookieScheme]);
            }

            await ctx.SignOutAsync(CookieScheme);
            return Results.Redirect("/signin");
        }).RequireAuthorization(RosePolicies.Viewer);

        app.MapGet("/signed-out", () => Results.Content(
            "<!doctype html><html><head><title>Rose: signed out</title><link rel=\"stylesheet\" href=\"/assets/css/rose.css\"></head>" +
            "<body class=\"rose-signin\"><main><h1>Signed out</h1><p data-testid=\"signed-out\">You are signed out of Rose Console.</p>" +
            "<p><a href=\"/signin\">Sign in again</a></p></main></body></html>", "text/html")).AllowAnonymous();

        app.MapGet("/forbidden", (HttpContext ctx) => Results.Content(ForbiddenPage(ctx),
            "text/html", statusCode: StatusCodes.Status403Forbidden)).AllowAnonymous();
        return app;
    }

    /// <summary>
    /// Where the cookie scheme sends a signed-in person whose role does not reach a page: it says who they are
    /// signed in as, with which role, and which page was refused (HTML-encoded; only a local path is shown).
    /// </summary>
    private static string ForbiddenPage(HttpContext ctx)
    {
        var user = ctx.User;
        var signedIn = user.Identity?.IsAuthenticated == true;
        var who = signedIn
            ? $"You are signed in as <strong>{WebUtility.HtmlEncode(user.Identity!.Name ?? "unknown")}</strong> with the role " +
              $"<strong>{WebUtility.HtmlEncode(CurrentIdentity.HumanRole(user) ?? "none")}</strong>, which does not allow "
            : "Your role does not allow ";
        var page = SafeReturnUrl(ctx.Request.Query["ReturnUrl"].ToString());
        var what = page == "/" ? "this page." : $"<code>{WebUtility.HtmlEncode(page)}</code>.";
        return "<!doctype html><html><head><title>Rose: not allowed</title><link rel=\"stylesheet\" href=\"/assets/css/rose.css\"></head>" +
            "<body class=\"rose-signin\"><main><h1>Not allowed</h1>" +
            $"<p data-testid=\"forbidden\">{who}{what} An admin can change your role.</p>" +
            "<p><a href=\"/\">Home</a></p></main></body></html>";
    }

    /// <summary>Only local paths: an open redirect would let a link send a signed-in user anywhere.</summary>
    public static string SafeReturnUrl(string? returnUrl) =>
        !string.IsNullOrEmpty(returnUrl) && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//", StringComparison.Ordinal)
            && !returnUrl.StartsWith("/\\", StringComparison.Ordinal)
            ? returnUrl
            : "/";

    private static Task ApiAware(RedirectContext<CookieAuthenticationOptions> ctx, int status)
    {
        // The API reference at /api/docs is a page for people: it redirects to sign-in like the others.
        var api = ctx.Request.Path.StartsWithSegments("/api") && !ctx.Request.Path.StartsWithSegments(ApiReference.Route);
        if (api || ctx.Request.Path.StartsWithSegments("/_blazor"))
        {
            // The API key scheme may already have answered with a problem document; leave it be.
            // An empty answer becomes a problem document in ApiErrorHandling.
            if (!ctx.Response.HasStarted)
            {
                ctx.Response.StatusCode = status;
            }

            return Task.CompletedTask;
        }

        ctx.Response.Redirect(ctx.RedirectUri);
        return Task.CompletedTask;
    }
}
