using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Rose.Console.Auth.Oidc;

/// <summary>
/// Rose's rules on the framework handler's events: the validated id_token becomes Rose's principal
/// (role claim path, role map, refusal when nothing maps), a refused sign-in gets a page saying why
/// and no session, and sign-out returns to the console's signed-out page.
/// </summary>
public static class OidcEvents
{
    public static OpenIdConnectEvents Create(string roleClaim, IReadOnlyDictionary<string, string> roleMap) => new()
    {
        OnTokenValidated = context => OnTokenValidated(context, roleClaim, roleMap),
        OnRemoteFailure = OnRemoteFailureAsync,
        OnRedirectToIdentityProviderForSignOut = OnSignOut,
        OnSignedOutCallbackRedirect = OnSignedOutCallback,
    };

    private static Task OnTokenValidated(TokenValidatedContext context, string roleClaim, IReadOnlyDictionary<string, string> roleMap)
    {
        var idToken = context.TokenEndpointResponse?.IdToken ?? context.ProtocolMessage.IdToken;
        if (string.IsNullOrEmpty(idToken))
        {
            context.Fail(new OidcSignInException("The identity provider returned no id_token; is the 'openid' scope in Rose:Auth:Oidc:Scopes?"));
            return Task.CompletedTask;
        }

        try
        {
            // The handler has validated this token (signature, issuer, audience, lifetime, nonce); read its payload as signed.
            context.Principal = OidcPrincipal.From(new JsonWebToken(idToken), roleClaim, roleMap);
        }
        catch (OidcSignInException ex)
        {
            context.Fail(ex);
            return Task.CompletedTask;
        }

        // Kept (encrypted in the session cookie) only to sign out at the provider with id_token_hint.
        context.Properties!.StoreTokens([new AuthenticationToken { Name = OpenIdConnectParameterNames.IdToken, Value = idToken }]);
        return Task.CompletedTask;
    }

    /// <summary>A provider without an end_session_endpoint: the console session is gone, show the signed-out page.</summary>
    private static Task OnSignOut(RedirectContext context)
    {
        if (string.IsNullOrEmpty(context.ProtocolMessage.IssuerAddress))
        {
            context.Response.Redirect(context.Request.PathBase + OidcSetup.SignedOutRoute);
            context.HandleResponse();
            return Task.CompletedTask;
        }

        context.ProtocolMessage.ClientId = context.Options.ClientId;
        return Task.CompletedTask;
    }

    /// <summary>/signed-out without a valid state is the page itself, not the provider's callback.</summary>
    private static Task OnSignedOutCallback(RemoteSignOutContext context)
    {
        if (context.Properties is null)
        {
            context.SkipHandler();
        }

        return Task.CompletedTask;
    }

    /// <summary>A refused sign-in gets a plain page saying why, and no session.</summary>
    private static async Task OnRemoteFailureAsync(RemoteFailureContext context)
    {
        var message = Describe(context.Failure, context.Request.Query["error"].ToString());
        context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Rose.Auth.Oidc")
            .LogWarning("OIDC sign-in refused: {Message}", message);
        context.HandleResponse();
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.WriteAsync(OidcSetup.SignInErrorPage(message), context.HttpContext.RequestAborted);
    }

    /// <summary>What to tell the person signing in; never the provider's raw answer, which may echo request values.</summary>
    public static string Describe(Exception? failure, string? providerError)
    {
        for (var e = failure; e is not null; e = e.InnerException)
        {
            var message = e switch
            {
                OidcSignInException => e.Message,
                SecurityTokenExpiredException => "The identity provider's token has expired. Sign in again; if this repeats, check the clocks of this server and the provider.",
                SecurityTokenNotYetValidException => "The identity provider's token is not valid yet. Check the clocks of this server and the provider.",
                SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException =>
                    "The identity provider's token signature could not be verified against the provider's published keys.",
                SecurityTokenInvalidIssuerException => "The identity provider's token was issued by another issuer than Rose:Auth:Oidc:Authority.",
                SecurityTokenInvalidAudienceException => "The identity provider's token was issued for another application than Rose:Auth:Oidc:ClientId.",
                OpenIdConnectProtocolInvalidNonceException => "The identity provider's answer does not belong to this sign-in attempt (nonce mismatch). Start again.",
                SecurityTokenException => "The identity provider's token is not valid.",
                _ => null,
            };
            if (message is not null)
            {
                return message;
            }
        }

        if (!string.IsNullOrEmpty(providerError))
        {
            // Only the standard error code, bounded: it is the provider's word, shown on our page.
            var code = new string(providerError.Where(c => char.IsAsciiLetterOrDigit(c) || c == '_').Take(64).ToArray());
            return $"The identity provider refused the sign-in ({code}).";
        }

        return failure is OpenIdConnectProtocolException
            ? "The identity provider's answer could not be used to sign in. Start again."
            : "This sign-in attempt expired or was started in another browser. Start again.";
    }
}
