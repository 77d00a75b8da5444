namespace Rose.Console.Auth.Oidc;

/// <summary>Rules for Rose:Auth:Oidc:Authority, shared by the options validator and the handler setup.</summary>
public static class OidcAuthorities
{
    /// <summary>Plain http is allowed only for a provider on this machine (tests, local development).</summary>
    public static bool IsLoopbackHttp(string authority) =>
        Uri.TryCreate(authority, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttp
        && (uri.Host == "localhost" || uri.Host == "127.0.0.1" || uri.Host == "[::1]");

    public static bool IsAcceptable(string authority) =>
        Uri.TryCreate(authority, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttps || IsLoopbackHttp(authority))
        && string.IsNullOrEmpty(uri.Query) && string.IsNullOrEmpty(uri.Fragment);
}
