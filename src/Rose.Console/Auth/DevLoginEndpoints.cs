using System.Net;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Rose.Console.Auth;

/// <summary>
/// Development sign-in: `GET /dev/login?user=NAME&amp;returnUrl=PATH` signs in a user listed under
/// Rose:Auth:DevUsers. Mapped only in Development without an OIDC authority; elsewhere the
/// route does not exist.
/// </summary>
internal static class DevLoginEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/dev/login", async (HttpContext ctx, IOptions<RoseAuthOptions> options, string? user, string? returnUrl) =>
        {
            var target = RoseAuthExtensions.SafeReturnUrl(returnUrl);
            if (string.IsNullOrEmpty(user))
            {
                return Results.Content(ChooserPage(options.Value, target), "text/html");
            }

            if (!options.Value.DevUsers.TryGetValue(user, out var devUser) || !RoseRoles.IsHumanRole(devUser.Role))
            {
                return Results.Content($"<!doctype html><title>Unknown user</title><p>No development user named '{WebUtility.HtmlEncode(user)}'. <a href=\"/dev/login\">Choose one</a></p>",
                    "text/html", statusCode: StatusCodes.Status404NotFound);
            }

            var claims = new List<Claim>
            {
                new(ClaimTypes.NameIdentifier, user.ToLowerInvariant()),
                new(ClaimTypes.Name, devUser.Name ?? user),
                new(RoseClaims.Kind, "human"),
                new(RoseClaims.Provider, "dev"),
            };
            claims.AddRange(RoseRoles.Including(devUser.Role).Select(r => new Claim(ClaimTypes.Role, r)));
            await ctx.SignInAsync(RoseAuthExtensions.CookieScheme,
                new ClaimsPrincipal(new ClaimsIdentity(claims, RoseAuthExtensions.CookieScheme, ClaimTypes.Name, ClaimTypes.Role)));
            return Results.Redirect(target);
        }).AllowAnonymous();
    }

    private static string ChooserPage(RoseAuthOptions options, string returnUrl)
    {
        var html = new StringBuilder("<!doctype html><html><head><title>Rose: development sign-in</title>")
            .Append("<link rel=\"stylesheet\" href=\"/assets/css/rose.css\"></head><body class=\"rose-signin\"><main><h1>Rose Console</h1>")
            .Append("<p>Development sign-in. Choose a user:</p><ul>");
        foreach (var (name, user) in options.DevUsers.OrderBy(u => u.Key, StringComparer.Ordinal))
        {
            html.Append("<li><a href=\"/dev/login?user=").Append(Uri.EscapeDataString(name))
                .Append("&amp;returnUrl=").Append(Uri.EscapeDataString(returnUrl)).Append("\">")
                .Append(WebUtility.HtmlEncode(user.Name ?? name)).Append("</a> (")
                .Append(WebUtility.HtmlEncode(user.Role)).Append(")</li>");
        }

        return html.Append("</ul></main></body></html>").ToString();
    }
}
