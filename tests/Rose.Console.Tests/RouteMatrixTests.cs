using System.Text;
using Microsoft.AspNetCore.Routing;

namespace Rose.Console.Tests;

/// <summary>
/// Walks every endpoint the app maps (read from its EndpointDataSource, so a new route cannot be
/// forgotten) as anonymous, each development role and an agent key, and checks each answer
/// against the explicit matrix below.
/// </summary>
[Collection("postgres")]
public sealed class RouteMatrixTests(PostgresServerFixture pg) : HostTest(pg)
{
    // Answers: a status code, or "302>/path" for a redirect to that path.
    private const string SignIn = "302>/signin";
    private const string Forbidden = "302>/forbidden";

    private static readonly string[] Identities = ["anonymous", "dave", "alice", "bob", "carol", "agent"];

    /// <summary>Route ("METHOD pattern") → expected answer per identity, in the order of <see cref="Identities"/>.</summary>
    private static readonly Dictionary<string, string[]> Matrix = new()
    {
        // An agent key is an identity everywhere: on routes its role does not allow it gets 403, never a sign-in redirect.
        //                                                 anonymous dave     alice    bob      carol    agent
        //                                                           (viewer) (operator)(approver)(admin)
        ["GET /"] =                                        [SignIn,   "200",    "200",    "200",    "200",    "403"],
        ["GET /agents"] =                                  [SignIn,   Forbidden, Forbidden, Forbidden, "200",    "403"],
        ["GET /approvals"] =                               [SignIn,   "200",    "200",    "200",    "200",    "403"],
        ["GET /approvals/{Id:long}"] =                     [SignIn,   "200",    "200",    "200",    "200",    "403"],
        ["POST /approvals"] =                              [SignIn,   "400",    "400",    "400",    "400",    "403"],
        ["POST /approvals/{Id:long}"] =                    [SignIn,   "400",    "400",    "400",    "400",    "403"],
        ["GET /healthz"] =                                 ["200",    "200",      "200",      "200",      "200",      "200"],
        ["GET /readyz"] =                                  ["200",    "200",      "200",      "200",      "200",      "200"],
        ["GET /openapi/{documentName}.json"] =             ["200",    "200",      "200",      "200",      "200",      "200"],
        // The API reference is a page for people: sign-in first; an agent key is refused like on other pages.
        // Its script and icon are the package's public static files.
        ["GET /api/docs/{documentName?}"] =                [SignIn,   "200",    "200",    "200",    "200",    "403"],
        ["GET /api/docs/scalar.js"] =                      ["200",    "200",    "200",    "200",    "200",    "200"],
        ["GET /api/docs/scalar.aspnetcore.js"] =           ["200",    "200",    "200",    "200",    "200",    "200"],
        ["GET /api/docs/favicon.svg"] =                    ["200",    "200",    "200",    "200",    "200",    "200"],
        // The exception handler's target: a problem document without the exception, for everyone.
        ["* /error"] =                                     ["500",    "500",    "500",    "500",    "500",    "500"],
        ["GET /signin"] =                                  ["302>/dev/login", "302>/dev/login", "302>/dev/login", "302>/dev/login", "302>/dev/login", "302>/dev/login"],
        ["GET /dev/login"] =                               ["200",    "200",      "200",      "200",      "200",      "200"],
        ["GET /signed-out"] =                              ["200",    "200",      "200",      "200",      "200",      "200"],
        ["GET /forbidden"] =                               ["403",    "403",      "403",      "403",      "403",      "403"],
        // Without the form's antiforgery token a signed-in user's sign-out is refused.
        ["POST /signout"] =                                [SignIn,   "400",    "400",    "400",    "400",    "403"],
        ["POST /api/v1/sql/execute"] =                     ["401",    "403",      "200",      "200",      "200",      "200"],
        ["POST /api/v1/mcp/sql/execute"] =                 ["401",    "403",      "200",      "200",      "200",      "200"],
        ["GET /api/v1/sql/logs"] =                         ["401",    "200",      "200",      "200",      "200",      "200"],
        ["GET /api/v1/approvals/{id:long}"] =              ["401",    "404",      "404",      "404",      "404",      "404"],
        ["GET /workbench"] =                               [SignIn,   "200",    "200",    "200",    "200",    "403"],
        ["POST /workbench"] =                              [SignIn,   "400",    "400",    "400",    "400",    "403"],
        ["GET /workbench/export/{token}"] =                [SignIn,   Forbidden, "404",    "404",    "404",    "403"],
        ["POST /workbench/export"] =                       [SignIn,   Forbidden, "400",    "400",    "400",    "403"],
        ["GET /migrations"] =                              [SignIn,   "200",    "200",    "200",    "200",    "403"],
        ["POST /migrations"] =                             [SignIn,   "400",    "400",    "400",    "400",    "403"],
        // Past authorization, the migration endpoints answer the probe's empty body with 400.
        ["POST /api/v1/sql/migrate"] =                     ["401",    "403",    "400",    "400",    "400",    "400"],
        ["GET /api/v1/migrations/{database}/status"] =     ["401",    "400",    "400",    "400",    "400",    "400"],
        ["POST /api/v1/migrations/{database}/status"] =    ["401",    "400",    "400",    "400",    "400",    "400"],
        ["POST /api/v1/migrations/{database}/verify"] =    ["401",    "400",    "400",    "400",    "400",    "400"],
        ["POST /api/v1/migrations/{database}/plan"] =      ["401",    "400",    "400",    "400",    "400",    "400"],
        ["POST /api/v1/migrations/{database}/undo"] =      ["401",    "403",    "400",    "400",    "400",    "400"],
        ["POST /api/v1/migrations/{database}/check"] =     ["401",    "403",    "400",    "400",    "400",    "400"],
        ["POST /api/v1/migrations/{database}/drift"] =     ["401",    "403",    "400",    "400",    "400",    "400"],
        ["GET /api/v1/migrations/{database}/snapshots"] =  ["401",    "200",    "200",    "200",    "200",    "200"],
        ["POST /api/v1/migrations/{database}/snapshots/{name}/restore"] =
                                                           ["401",    "403",    "403",    "403",    "400",    "403"],
        // Data snapshots: viewers list them; taking one needs a SQL runner and a reason (the empty probe is a 400);
        // restoring into a new database is for admins, and the probe names no snapshot.
        ["GET /api/v1/migrations/{database}/data-snapshots"] = ["401", "200",  "200",    "200",    "200",    "200"],
        ["POST /api/v1/migrations/{database}/data-snapshots"] = ["401", "403", "400",    "400",    "400",    "400"],
        ["POST /api/v1/migrations/{database}/data-snapshots/{name}/restore"] =
                                                           ["401",    "403",    "403",    "403",    "400",    "403"],
        // Progress of running snapshots and restores: who may list snapshots may watch them. Restoring in place is
        // for admins too (it parks for another person's approval), and the probe names no snapshot.
        ["GET /api/v1/migrations/{database}/data-snapshots/jobs"] = ["401", "200", "200", "200",  "200",    "200"],
        ["POST /api/v1/migrations/{database}/data-snapshots/{name}/restore-in-place"] =
                                                           ["401",    "403",    "403",    "403",    "400",    "403"],
        ["GET /audit"] =                                   [SignIn,   "200",    "200",    "200",    "200",    "403"],
        ["POST /audit"] =                                  [SignIn,   "400",    "400",    "400",    "400",    "403"],
        ["GET /audit/export"] =                            [SignIn,   "200",    "200",    "200",    "200",    "403"],
        ["GET /devlogs"] =                                 [SignIn,   "200",    "200",    "200",    "200",    "403"],
        ["POST /devlogs"] =                                [SignIn,   "400",    "400",    "400",    "400",    "403"],
        ["GET /validation"] =                              [SignIn,   "200",    "200",    "200",    "200",    "403"],
        ["GET /performance"] =                             [SignIn,   Forbidden, "200",    "200",    "200",    "403"],
        ["POST /performance"] =                            [SignIn,   Forbidden, "400",    "400",    "400",    "403"],
        ["POST /validation"] =                             [SignIn,   "400",    "400",    "400",    "400",    "403"],
        ["GET /api/v1/audit/verify"] =                     ["401",    "200",    "200",    "200",    "200",    "200"],
        ["GET /api/v1/audit/checkpoints"] =                ["401",    "403",    "403",    "403",    "200",    "403"],
        ["GET /api/v1/devlogs"] =                          ["401",    "200",    "200",    "200",    "200",    "200"],
        ["POST /api/v1/devlogs"] =                         ["401",    "403",    "400",    "400",    "400",    "400"],
        ["GET /api/v1/devlogs/search"] =                   ["401",    "400",    "400",    "400",    "400",    "400"],
        ["GET /api/v1/devlogs/{id:long}"] =                ["401",    "404",    "404",    "404",    "404",    "404"],
        ["POST /api/v1/validation/run"] =                  ["401",    "403",    "400",    "400",    "400",    "400"],
        ["GET /api/v1/validation/checks"] =               ["401",    "400",    "400",    "400",    "400",    "400"],
        ["POST /api/v1/validation/checks"] =              ["401",    "403",    "400",    "400",    "400",    "403"],
        ["GET /api/v1/validation/runs"] =                  ["401",    "200",    "200",    "200",    "200",    "200"],
        ["GET /api/v1/validation/runs/{id:long}"] =        ["401",    "404",    "404",    "404",    "404",    "404"],
        // The advisor reads the target through the pipeline: operators and agents, like a validation run.
        ["GET /api/v1/advisor/{database}/queries"] =       ["401",    "403",    "200",    "200",    "200",    "200"],
        ["POST /api/v1/advisor/{database}/indexes"] =      ["401",    "403",    "400",    "400",    "400",    "400"],
        ["GET /api/v1/advisor/{database}/health"] =        ["401",    "403",    "200",    "200",    "200",    "200"],
        ["POST /api/v1/advisor/{database}/explain"] =      ["401",    "403",    "400",    "400",    "400",    "400"],
        // Rolling a change back runs SQL through the pipeline: SQL runners only; past that, the empty probe is a 400.
        ["POST /api/v1/changes/{id:long}/rollback"] =      ["401",    "403",    "400",    "400",    "400",    "400"],
        // `rose mcp` relays each tool call here: agent keys only (a person's MCP client uses /mcp); the empty probe is a 400.
        ["POST /api/v1/mcp/tools/{tool}"] =                ["401",    "403",    "403",    "403",    "403",    "400"],
        // MCP over HTTP: API-key agents only; people (cookies) are not signed in here. An empty request is not MCP.
        ["POST /mcp/"] =                                   ["401",    "401",    "401",    "401",    "401",    "406"],
        ["GET /mcp/"] =                                    ["401",    "401",    "401",    "401",    "401",    "406"],
        ["DELETE /mcp/"] =                                 ["401",    "401",    "401",    "401",    "401",    "200"],
        // Razor component endpoints also take form posts (static SSR forms): refused without an antiforgery token.
        ["POST /"] =                                       [SignIn,   "400",    "400",    "400",    "400",    "403"],
        ["POST /agents"] =                                 [SignIn,   Forbidden, Forbidden, Forbidden, "400",    "403"],
        // The Blazor hub: circuits need a signed-in person; an agent key never opens one.
        ["* /_blazor/negotiate"] =                         ["401",    "200",    "200",    "200",    "200",    "403"],
        ["* /_blazor"] =                                   ["401",    "400",    "400",    "400",    "400",    "403"],
        ["* /_blazor/disconnect/"] =                       ["401",    "400",    "400",    "400",    "400",    "403"],
        ["* /_blazor/initializers/"] =                     ["401",    "200",    "200",    "200",    "200",    "403"],
        // Framework script and helpers sit behind sign-in too: only pages use them, and the sign-in pages are plain HTML.
        ["GET /_framework/opaque-redirect"] =              [SignIn,   "400",    "400",    "400",    "400",    "403"],
    };

    [Fact]
    public async Task EveryRoute_EveryIdentity_AnswersAsTheMatrixSays()
    {
        var routes = MappedRoutes();
        var clients = new Dictionary<string, HttpClient>();
        foreach (var identity in Identities)
        {
            clients[identity] = identity switch
            {
                "anonymous" => await App.ClientAsync(),
                "agent" => App.AgentClient(),
                _ => await App.ClientAsync(identity),
            };
        }

        var failures = new StringBuilder();
        var unlisted = routes.Where(r => !Matrix.ContainsKey(r)).ToList();
        foreach (var route in unlisted)
        {
            failures.AppendLine($"{route}: mapped but not in the matrix; add its expected answers.");
        }

        foreach (var route in Matrix.Keys.Where(r => !routes.Contains(r)))
        {
            failures.AppendLine($"{route}: in the matrix but no longer mapped.");
        }

        foreach (var (route, expected) in Matrix.Where(m => routes.Contains(m.Key)))
        {
            for (var i = 0; i < Identities.Length; i++)
            {
                var actual = await AnswerAsync(clients[Identities[i]], route);
                if (actual != expected[i])
                {
                    failures.AppendLine($"{route} as {Identities[i]}: expected {expected[i]}, got {actual}");
                }
            }
        }

        foreach (var client in clients.Values)
        {
            client.Dispose();
        }

        Assert.True(failures.Length == 0, "Route matrix mismatches:\n" + failures);
    }

    /// <summary>Every "METHOD pattern" the app maps, from the same EndpointDataSource routing uses.</summary>
    private HashSet<string> MappedRoutes()
    {
        var source = App.Services.GetRequiredService<EndpointDataSource>();
        var routes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var endpoint in source.Endpoints.OfType<RouteEndpoint>())
        {
            var pattern = "/" + (endpoint.RoutePattern.RawText ?? "").TrimStart('/');
            // Endpoints without method metadata (the SignalR hub's) answer any method: "*".
            var methods = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["*"];
            foreach (var method in methods)
            {
                routes.Add($"{method} {pattern}");
            }
        }

        return routes;
    }

    private static async Task<string> AnswerAsync(HttpClient client, string route)
    {
        var space = route.IndexOf(' ', StringComparison.Ordinal);
        // The hub's endpoints take any method; negotiate and disconnect are POSTs in real use.
        var method = route[..space] == "*"
            ? (route.EndsWith("/negotiate", StringComparison.Ordinal) || route.EndsWith("/disconnect/", StringComparison.Ordinal) ? HttpMethod.Post : HttpMethod.Get)
            : new HttpMethod(route[..space]);
        var path = route[(space + 1)..]
            .Replace("{documentName}", "v1", StringComparison.Ordinal)
            .Replace("{documentName?}", "v1", StringComparison.Ordinal)
            .Replace("{id:long}", "999999", StringComparison.Ordinal)
            .Replace("{Id:long}", "999999", StringComparison.Ordinal)
            .Replace("{database}", "demo", StringComparison.Ordinal)
            .Replace("{token}", "no-such-token", StringComparison.Ordinal)
            .Replace("{name}", "no-such-snapshot", StringComparison.Ordinal)
            .Replace("{tool}", "sql_logs", StringComparison.Ordinal);
        using var request = new HttpRequestMessage(method, path);
        if (path is "/api/v1/sql/execute" or "/api/v1/mcp/sql/execute")
        {
            request.Content = new StringContent("{\"database\":\"demo\",\"sql\":\"SELECT 1\",\"reason\":\"route matrix\"}", Encoding.UTF8, "application/json");
        }
        else if (path == "/_blazor/negotiate")
        {
            request.RequestUri = new Uri(path + "?negotiateVersion=1", UriKind.Relative);
        }
        else if (method == HttpMethod.Post && (path.StartsWith("/api/", StringComparison.Ordinal) || path.StartsWith("/mcp/", StringComparison.Ordinal)))
        {
            // An empty JSON object: an authorized caller gets past authorization to the endpoint's own validation.
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        }
        else if (method == HttpMethod.Post)
        {
            request.Content = new FormUrlEncodedContent([]);
        }

        using var response = await client.SendAsync(request);
        return response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found
            ? "302>" + (response.Headers.Location!.IsAbsoluteUri ? response.Headers.Location.AbsolutePath : response.Headers.Location.OriginalString.Split('?')[0])
            : ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>Outside Development with OIDC configured: sign-in goes to the provider and dev login does not exist.</summary>
[Collection("postgres")]
public sealed class OidcRouteTests(PostgresServerFixture pg)
{
    [Fact]
    public async Task Production_WithOidc_SignInGoesToProviderAndDevLoginIsAbsent()
    {
        await using var app = await RoseAppFactory.CreateAsync(pg, environment: "Production", extra: new Dictionary<string, string?>
        {
            // Nothing listens on port 9: the challenge must fail with a clear page, not a crash.
            ["Rose:Auth:Oidc:Authority"] = "http://127.0.0.1:9",
            ["Rose:Auth:Oidc:ClientId"] = "rose-console",
            ["Rose:Auth:Oidc:RoleMap:rose-admins"] = "admin",
        });
        using var client = await app.ClientAsync();
        var routes = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => "/" + (e.RoutePattern.RawText ?? "").TrimStart('/')).ToHashSet();

        var signin = await client.GetAsync("/signin?returnUrl=/agents");
        var login = await client.GetAsync("/oidc/login?returnUrl=/agents");
        var dev = await client.GetAsync("/dev/login?user=carol");

        Assert.Contains("/oidc/login", routes);
        Assert.DoesNotContain("/dev/login", routes);
        Assert.Equal("/oidc/login?returnUrl=%2Fagents", signin.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, login.StatusCode);
        Assert.Contains("cannot be reached", await login.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, dev.StatusCode);
    }
}
