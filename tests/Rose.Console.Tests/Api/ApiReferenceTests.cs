using System.Net;
using Rose.Tests.Shared;

namespace Rose.Console.Tests.Api;

/// <summary>The Scalar API reference at /api/docs answers signed-in users only.</summary>
[Collection("postgres")]
public sealed class ApiReferenceTests(PostgresServerFixture pg)
{
    [Fact]
    public async Task ApiDocs_SignedIn_AnswersTheReference_Anonymous_IsSentToSignIn()
    {
        await using var app = await RoseAppFactory.CreateAsync(pg);
        using var signedIn = await app.ClientAsync("alice");
        using var anonymous = await app.ClientAsync();

        using var page = await GetFollowingDocsRedirectAsync(signedIn, "/api/docs");
        using var refused = await anonymous.GetAsync("/api/docs");
        using var document = await signedIn.GetAsync("/openapi/v1.json");

        var html = await page.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Rose Console API", html, StringComparison.Ordinal);
        Assert.Contains("openapi/v1.json", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, document.StatusCode);
        Assert.Contains("/api/v1/sql/execute", await document.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        Assert.StartsWith("/signin", refused.Headers.Location!.IsAbsoluteUri ? refused.Headers.Location.PathAndQuery : refused.Headers.Location.OriginalString, StringComparison.Ordinal);
        Assert.DoesNotContain("Rose Console API", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>The reference may move the browser to its own canonical address under /api/docs; anywhere else fails.</summary>
    private static async Task<HttpResponseMessage> GetFollowingDocsRedirectAsync(HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        if (response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found or HttpStatusCode.MovedPermanently)
        {
            var next = new Uri(response.RequestMessage!.RequestUri!, response.Headers.Location!).PathAndQuery;
            response.Dispose();
            Assert.StartsWith("/api/docs", next, StringComparison.Ordinal);
            response = await client.GetAsync(next);
        }

        return response;
    }
}
