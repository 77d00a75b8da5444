namespace Rose.Console.Tests.Api;

/// <summary>The Scalar API reference at /api/docs answers signed-in users only; the OpenAPI document describes errors as they are answered. Both only read: one host.</summary>
[Collection("postgres")]
public sealed class ApiReferenceTests(PostgresServerFixture pg, SharedRoseApp shared) : SharedHostTest(pg, shared)
{
    [Fact]
    public async Task ApiDocs_SignedIn_AnswersTheReference_Anonymous_IsSentToSignIn()
    {
        using var signedIn = await App.ClientAsync("alice");
        using var anonymous = await App.ClientAsync();

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

    [Fact]
    public async Task OpenApiDocument_DescribesEveryApiError_AsTheProblemDocumentTheApiAnswers()
    {
        using var signedIn = await App.ClientAsync("alice");
        using var document = System.Text.Json.JsonDocument.Parse(await signedIn.GetStringAsync("/openapi/v1.json"));
        var root = document.RootElement;

        var problem = root.GetProperty("components").GetProperty("schemas").GetProperty("RoseProblem");
        foreach (var member in new[] { "type", "title", "status", "detail", "code", "reasons", "sqlstate", "audit_id" })
        {
            Assert.True(problem.GetProperty("properties").TryGetProperty(member, out _), $"RoseProblem lacks {member}");
        }

        var errors = 0;
        foreach (var path in root.GetProperty("paths").EnumerateObject().Where(p => p.Name.StartsWith("/api/", StringComparison.Ordinal)))
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                var responses = operation.Value.GetProperty("responses");
                // Every route is authorized and rate limited: those answers are listed even where the endpoint does not declare them.
                foreach (var common in new[] { "401", "403", "429", "503" })
                {
                    Assert.True(responses.TryGetProperty(common, out _), $"{operation.Name} {path.Name} does not list {common}");
                }

                foreach (var response in responses.EnumerateObject().Where(r => r.Name[0] is '4' or '5'))
                {
                    var content = response.Value.GetProperty("content");
                    Assert.Equal(["application/problem+json"], content.EnumerateObject().Select(c => c.Name));
                    Assert.Equal("#/components/schemas/RoseProblem", content.GetProperty("application/problem+json").GetProperty("schema").GetProperty("$ref").GetString());
                    errors++;
                }
            }
        }

        // The SQL endpoint's own 400 (declared with its old body type) is described as a problem too.
        var execute400 = root.GetProperty("paths").GetProperty("/api/v1/sql/execute").GetProperty("post").GetProperty("responses").GetProperty("400");
        Assert.True(execute400.GetProperty("content").TryGetProperty("application/problem+json", out _));
        Assert.True(errors > 40, $"only {errors} error responses described");
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
