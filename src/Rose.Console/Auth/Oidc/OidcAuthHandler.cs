using System.Net.Http.Headers;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OAuth;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Rose.Console.Auth.Oidc;

/// <summary>
/// OpenID Connect authorization code flow with PKCE on top of the framework's OAuth handler: the
/// base class keeps state, the correlation cookie and the sign-in; this class adds discovery, the
/// nonce, client authentication and id_token validation.
/// </summary>
public sealed class OidcAuthHandler(
    IOptionsMonitor<OidcAuthOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    OidcDiscovery discovery,
    OidcIdTokenValidator validator)
    : OAuthHandler<OidcAuthOptions>(options, logger, encoder)
{
    /// <summary>Kept in the protected state, so the nonce is bound to this browser's login attempt.</summary>
    public const string NonceKey = "rose.nonce";

    private const string CodeVerifierKey = "code_verifier";

    private OpenIdConnectConfiguration? configuration;

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        try
        {
            configuration = await discovery.GetAsync(Context.RequestAborted);
        }
        catch (InvalidOperationException ex)
        {
            // ConfigurationManager wraps network and document errors in InvalidOperationException.
            Logger.LogError(ex, "The OIDC discovery document of {Authority} could not be read", discovery.Authority);
            Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            Response.ContentType = "text/html; charset=utf-8";
            await Response.WriteAsync(OidcSetup.SignInErrorPage(
                $"The identity provider at {discovery.Authority} cannot be reached right now. Try again in a moment."), Context.RequestAborted);
            return;
        }

        await base.HandleChallengeAsync(properties);
    }

    protected override string BuildChallengeUrl(AuthenticationProperties properties, string redirectUri)
    {
        var verifier = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        properties.Items[CodeVerifierKey] = verifier;
        var nonce = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        properties.Items[NonceKey] = nonce;

        var parameters = new Dictionary<string, string?>
        {
            ["client_id"] = Options.ClientId,
            ["response_type"] = "code",
            ["scope"] = FormatScope(),
            ["redirect_uri"] = redirectUri,
            ["code_challenge"] = WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))),
            ["code_challenge_method"] = "S256",
            ["nonce"] = nonce,
            ["state"] = Options.StateDataFormat.Protect(properties),
        };
        return QueryHelpers.AddQueryString(configuration!.AuthorizationEndpoint, parameters);
    }

    protected override async Task<OAuthTokenResponse> ExchangeCodeAsync(OAuthCodeExchangeContext context)
    {
        var config = await discovery.GetAsync(Context.RequestAborted);
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = context.Code,
            ["redirect_uri"] = context.RedirectUri,
        };
        if (context.Properties.Items.TryGetValue(CodeVerifierKey, out var verifier) && verifier is not null)
        {
            form["code_verifier"] = verifier;
            context.Properties.Items.Remove(CodeVerifierKey);
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, config.TokenEndpoint);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (string.IsNullOrEmpty(Options.ClientSecret))
        {
            form["client_id"] = Options.ClientId;
        }
        else if (config.TokenEndpointAuthMethodsSupported.Count == 0 || config.TokenEndpointAuthMethodsSupported.Contains("client_secret_basic"))
        {
            // RFC 6749 2.3.1: id and secret are form-encoded before they go into the Basic header.
            var basic = Uri.EscapeDataString(Options.ClientId) + ":" + Uri.EscapeDataString(Options.ClientSecret);
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(basic)));
        }
        else
        {
            form["client_id"] = Options.ClientId;
            form["client_secret"] = Options.ClientSecret;
        }

        request.Content = new FormUrlEncodedContent(form);
        using var response = await Backchannel.SendAsync(request, Context.RequestAborted);
        var body = await response.Content.ReadAsStringAsync(Context.RequestAborted);
        if (!response.IsSuccessStatusCode)
        {
            // The provider's error code is safe to log; the body may echo request values, so it is not.
            Logger.LogWarning("OIDC token endpoint answered {Status}", (int)response.StatusCode);
            return OAuthTokenResponse.Failed(new OidcSignInException(
                $"The identity provider refused to exchange the authorization code ({(int)response.StatusCode} {ErrorCode(body)})."));
        }

        return OAuthTokenResponse.Success(JsonDocument.Parse(body));
    }

    protected override async Task<AuthenticationTicket> CreateTicketAsync(ClaimsIdentity identity, AuthenticationProperties properties, OAuthTokenResponse tokens)
    {
        var idToken = tokens.Response?.RootElement.TryGetProperty("id_token", out var element) == true ? element.GetString() : null;
        if (string.IsNullOrEmpty(idToken))
        {
            throw new OidcSignInException("The identity provider returned no id_token; is the 'openid' scope in Rose:Auth:Oidc:Scopes?");
        }

        if (!properties.Items.TryGetValue(NonceKey, out var nonce) || string.IsNullOrEmpty(nonce))
        {
            throw new OidcSignInException("This sign-in attempt has no nonce; start again.");
        }

        properties.Items.Remove(NonceKey);
        var principal = await validator.ValidateAsync(idToken, nonce, Options, Context.RequestAborted);
        // Kept (encrypted in the session cookie) only to sign out at the provider with id_token_hint.
        properties.StoreTokens([new AuthenticationToken { Name = "id_token", Value = idToken }]);
        return new AuthenticationTicket(principal, properties, Scheme.Name);
    }

    protected override string FormatScope()
    {
        var scopes = Options.Scope.Count == 0 ? ["openid"] : Options.Scope.ToList();
        if (!scopes.Contains("openid"))
        {
            scopes.Insert(0, "openid");
        }

        return string.Join(' ', scopes.Distinct(StringComparer.Ordinal));
    }

    private static string ErrorCode(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.TryGetProperty("error", out var error) ? error.GetString() ?? "error" : "error";
        }
        catch (JsonException)
        {
            return "error";
        }
    }
}
