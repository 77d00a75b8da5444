using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using Rose.Console.Auth.Oidc;

namespace Rose.Console.Tests.Oidc;

/// <summary>What a refused sign-in page says, for the failures the framework handler reports.</summary>
public sealed class OidcEventsTests
{
    [Fact]
    public void Describe_HandlerFailures_AreSaidPlainly()
    {
        Assert.Contains("expired", OidcEvents.Describe(new SecurityTokenExpiredException("x"), null), StringComparison.Ordinal);
        Assert.Contains("signature could not be verified", OidcEvents.Describe(new SecurityTokenSignatureKeyNotFoundException("x"), null), StringComparison.Ordinal);
        Assert.Contains("signature could not be verified", OidcEvents.Describe(new SecurityTokenInvalidSignatureException("x"), null), StringComparison.Ordinal);
        Assert.Contains("Rose:Auth:Oidc:ClientId", OidcEvents.Describe(new SecurityTokenInvalidAudienceException("x"), null), StringComparison.Ordinal);
        Assert.Contains("nonce", OidcEvents.Describe(new OpenIdConnectProtocolInvalidNonceException("x"), null), StringComparison.Ordinal);
        // Rose's own refusal travels wrapped; its message is what the person reads.
        Assert.Equal("no role here", OidcEvents.Describe(new InvalidOperationException("outer", new OidcSignInException("no role here")), null));
    }

    [Fact]
    public void Describe_ProviderError_ShowsOnlyTheBoundedCode()
    {
        var message = OidcEvents.Describe(new OpenIdConnectProtocolException("Message contains error"), "access_denied<script>alert(1)</script>");

        Assert.Equal("The identity provider refused the sign-in (access_deniedscriptalert1script).", message);
    }

    [Fact]
    public void Describe_UnknownFailure_AsksToStartAgain()
    {
        Assert.Contains("Start again", OidcEvents.Describe(new Exception("Correlation failed."), null), StringComparison.Ordinal);
    }
}
