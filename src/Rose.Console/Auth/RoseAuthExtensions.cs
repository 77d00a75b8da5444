using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;

namespace Rose.Console.Auth;

public static class RoseAuthExtensions
{
    public const string CookieScheme = CookieAuthenticationDefaults.AuthenticationScheme;

    public static IServiceCollection AddRoseAuth(this IServiceCollection services, IConfiguration configuration, IWebHostEnvironment environment)
    {
        var auth = configuration.GetSection(RoseAuthOptions.SectionName).Get<RoseAuthOptions>() ?? new RoseAuthOptions();
        services.Configure<RoseAuthOptions>(configuration.GetSection(RoseAuthOptions.SectionName));
        services.AddSingleton<CurrentIdentity>();

        services.AddAuthentication(CookieScheme)
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

                await ctx.HttpContext.Response.WriteAsJsonAsync(new { status = "rate_limited", error = "Too many requests for this identity; retry later." }, ct);
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

        app.MapGet("/signin", (HttpContext ctx, string? returnUrl) =>
            Results.Redirect((app.Environment.IsDevelopment() && !auth.Oidc.Enabled ? "/dev/login" : "/oidc/login")
                + "?returnUrl=" + Uri.EscapeDataString(SafeReturnUrl(returnUrl))))
            .AllowAnonymous();

        app.MapPost("/signout", async (HttpContext ctx) =>
        {
            await ctx.SignOutAsync(CookieScheme);
            return Results.Redirect("/signin");
        }).RequireAuthorization(RosePolicies.Viewer);

        app.MapGet("/forbidden", () => Results.Content(
            "<!doctype html><title>Forbidden</title><h1>Forbidden</h1><p>Your role does not allow this page. <a href=\"/\">Home</a></p>",
            "text/html", statusCode: StatusCodes.Status403Forbidden)).AllowAnonymous();
        return app;
    }

    /// <summary>Only local paths: an open redirect would let a link send a signed-in user anywhere.</summary>
    public static string SafeReturnUrl(string? returnUrl) =>
        !string.IsNullOrEmpty(returnUrl) && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//", StringComparison.Ordinal)
            && !returnUrl.StartsWith("/\\", StringComparison.Ordinal)
            ? returnUrl
            : "/";

    private static Task ApiAware(RedirectContext<CookieAuthenticationOptions> ctx, int status)
    {
        if (ctx.Request.Path.StartsWithSegments("/api") || ctx.Request.Path.StartsWithSegments("/_blazor"))
        {
            // The API key scheme may already have answered with a JSON body; leave it be.
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
