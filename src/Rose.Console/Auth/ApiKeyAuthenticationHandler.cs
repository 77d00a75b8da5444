using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Rose.Console.Api;
using Rose.Core.Agents;

namespace Rose.Console.Auth;

/// <summary>Authenticates agents by `Authorization: Bearer &lt;api key&gt;` against the hashed keys in the control database (cached for seconds, see <see cref="ApiKeyAuthenticator"/>).</summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyAuthenticator agents)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header) || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        var key = header["Bearer ".Length..].Trim();
        var agent = await agents.AuthenticateAsync(key, Context.RequestAborted);
        if (agent is null)
        {
            return AuthenticateResult.Fail("The API key is unknown, revoked or expired.");
        }

        var identity = new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, agent.Id),
            new Claim(ClaimTypes.Name, agent.DisplayName),
            new Claim(ClaimTypes.Role, RoseRoles.Agent),
            new Claim(RoseClaims.Kind, "agent"),
            new Claim(RoseClaims.Provider, "api-key"),
        ], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        await ApiProblems.WriteAsync(Context, ApiProblems.Create(
            StatusCodes.Status401Unauthorized, "unauthorized", "Send a valid API key as 'Authorization: Bearer <key>'."));
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        await ApiProblems.WriteAsync(Context, ApiProblems.Create(
            StatusCodes.Status403Forbidden, "forbidden", "This identity may not use this endpoint."));
    }
}
