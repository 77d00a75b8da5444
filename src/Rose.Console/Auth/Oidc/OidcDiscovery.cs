using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Rose.Console.Auth.Oidc;

/// <summary>
/// The provider's discovery document and signing keys, cached and refreshed by the IdentityModel
/// ConfigurationManager. One per process, so every sign-in shares one cache.
/// </summary>
public sealed class OidcDiscovery : IDisposable
{
    private readonly ConfigurationManager<OpenIdConnectConfiguration> manager;
    private readonly HttpClient http;

    public OidcDiscovery(string authority)
    {
        Authority = authority.TrimEnd('/');
        http = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
        http.DefaultRequestHeaders.UserAgent.ParseAdd("RoseConsole");
        var retriever = new HttpDocumentRetriever(http) { RequireHttps = !OidcAuthorities.IsLoopbackHttp(Authority) };
        manager = new ConfigurationManager<OpenIdConnectConfiguration>(
            Authority + "/.well-known/openid-configuration", new OpenIdConnectConfigurationRetriever(), retriever)
        {
            // Keys rotate; an unknown kid triggers RequestRefresh, which may run at most this often.
            // id_tokens arrive only over the back channel from the token endpoint, so outsiders
            // cannot force refetches with made-up kids; a short interval is safe.
            RefreshInterval = TimeSpan.FromSeconds(1),
            AutomaticRefreshInterval = TimeSpan.FromHours(12),
        };
    }

    public string Authority { get; }

    public Task<OpenIdConnectConfiguration> GetAsync(CancellationToken ct) => manager.GetConfigurationAsync(ct);

    /// <summary>
    /// Fetches the document again because a token named a key the cached JWKS lacks (the provider
    /// rotated its keys). The refresh may complete in the background, so wait briefly for it.
    /// </summary>
    public async Task<OpenIdConnectConfiguration> RefreshAsync(OpenIdConnectConfiguration stale, CancellationToken ct)
    {
        manager.RequestRefresh();
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var current = await manager.GetConfigurationAsync(ct);
            if (!ReferenceEquals(current, stale))
            {
                return current;
            }

            await Task.Delay(100, ct);
        }

        return stale;
    }

    public void Dispose() => http.Dispose();
}

/// <summary>Rules for the Authority URL, shared by the options validator and the discovery client.</summary>
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
