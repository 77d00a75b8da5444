using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing.Template;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Rose.Mcp;

namespace Rose.Console.Mcp;

/// <summary>
/// Runs a tool's API route inside the console, as the agent that called /mcp: the route's own
/// handler (so the one pipeline, ExecutionService and the audit log, with the same answers as
/// over HTTP), after the route's own authorization policy is checked against the agent. Only
/// /api/v1 routes are reachable. The channel is set here, by the server: mcp; every call is
/// audited on it (<see cref="McpToolAudit"/>), a refused one too.
/// </summary>
internal sealed class InProcessApiBackend(
    EndpointDataSource endpoints,
    IAuthorizationPolicyProvider policies,
    IAuthorizationService authorization,
    IServiceScopeFactory scopes,
    McpToolAudit toolAudit,
    McpAgentSettingsReader settings,
    ILogger<InProcessApiBackend> log) : IRoseToolBackend
{
    /// <summary>
    /// HttpContext.Items key this backend sets on the requests it runs: routes read the channel from
    /// here, which no client can set (a header could be sent by anyone over plain HTTP).
    /// </summary>
    public const string ChannelItem = "Rose.Channel";

    /// <summary>True for a request this backend runs for an /mcp tool call.</summary>
    public static bool IsMcpCall(HttpContext http) => http.Items.TryGetValue(ChannelItem, out var channel) && channel is "mcp";

    public Task<RoseToolAnswer> SendAsync(string tool, HttpMethod method, string pathAndQuery, object? body,
        RequestContext<CallToolRequestParams> request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        return RunAsync(tool, method, pathAndQuery, body, request.User, ct);
    }

    /// <summary>
    /// One tool call as <paramref name="user"/>: a call on /mcp, or one `rose mcp` relayed
    /// (<see cref="McpRelayEndpoint"/>). The agent's allow-list is read again for every call, so a change
    /// on the Agents page applies to sessions already open.
    /// </summary>
    public async Task<RoseToolAnswer> RunAsync(string tool, HttpMethod method, string pathAndQuery, object? body,
        System.Security.Claims.ClaimsPrincipal? user, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(method);
        if (user?.Identity?.IsAuthenticated != true)
        {
            return Answer(StatusCodes.Status401Unauthorized, "unauthorized", "The MCP session has no signed-in identity.");
        }

        var split = pathAndQuery.IndexOf('?', StringComparison.Ordinal);
        var path = new PathString(split < 0 ? pathAndQuery : pathAndQuery[..split]);
        var query = split < 0 ? QueryString.Empty : new QueryString(pathAndQuery[split..]);
        var bytes = body is null ? null : JsonSerializer.SerializeToUtf8Bytes(body, JsonSerializerOptions.Web);
        // Only API routes, and never the relay itself (a tool call inside a tool call would be audited as one).
        var route = path.StartsWithSegments("/api/v1") && !path.StartsWithSegments("/api/v1" + McpRelayEndpoint.Prefix) ? Match(method, path) : null;
        var call = McpToolAudit.ToolCall.From(CurrentIdentity.ToActor(user), tool, method, path, query, route?.Values, bytes);
        if (!RoseToolCatalog.Names.Contains(tool, StringComparer.Ordinal))
        {
            await toolAudit.DeniedAsync(call with { Tool = "unknown" }, "no such MCP tool", ct);
            return Answer(StatusCodes.Status404NotFound, "not_found", "No such MCP tool.");
        }

        if (CurrentIdentity.IsAgent(user) && (await settings.ForAgentAsync(user, ct)).AllowedTools is { } allowed && !allowed.Contains(tool, StringComparer.Ordinal))
        {
            await toolAudit.DeniedAsync(call, "the agent's MCP tool allow-list does not include this tool", ct);
            return Answer(StatusCodes.Status403Forbidden, "forbidden", $"This agent may not use the tool {tool}: an admin sets its tools on the Agents page.");
        }

        if (route is not var (endpoint, values))
        {
            await toolAudit.DeniedAsync(call, "no such Rose API route", ct);
            return Answer(StatusCodes.Status404NotFound, "not_found", "No such Rose API route.");
        }

        if (!await AuthorizedAsync(endpoint, user))
        {
            await toolAudit.DeniedAsync(call, "this identity's role may not use the tool's route", ct);
            return Answer(StatusCodes.Status403Forbidden, "forbidden", "This identity may not use this endpoint.");
        }

        await using var scope = scopes.CreateAsyncScope();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider, User = user, RequestAborted = ct };
        context.Request.Method = method.Method;
        context.Request.Scheme = "http";
        context.Request.Path = path;
        context.Request.QueryString = query;
        context.Request.RouteValues = values;
        context.Items[ChannelItem] = "mcp";
        if (bytes is not null)
        {
            context.Request.ContentType = "application/json";
            context.Request.ContentLength = bytes.Length;
            context.Request.Body = new MemoryStream(bytes);
            // Minimal API handlers read a body only where the server says the request can have one.
            context.Features.Set<IHttpRequestBodyDetectionFeature>(HasBody.Instance);
        }

        using var response = new MemoryStream();
        context.Response.Body = response;
        context.SetEndpoint(endpoint);

        // Every call gets its own row, committed before its route takes effect; SQL the route runs is audited again by the pipeline, row by row.
        var routeRan = false;
        try
        {
            await toolAudit.RunAsync(call, async () =>
            {
                routeRan = true;
                await endpoint.RequestDelegate!(context);
                return context.Response.StatusCode;
            }, () => ct.IsCancellationRequested, ct);
        }
        catch (AuditUnavailableException ex) when (!routeRan)
        {
            return Answer(StatusCodes.Status503ServiceUnavailable, "unavailable", ex.Message);
        }
        catch (AuditUnavailableException ex) when (McpToolAudit.RouteAuditsEveryEffect(tool))
        {
            // The route ran and answered (anything it did is under its own rows; when the control database was gone
            // its answer already says unavailable), but the tool-call row committed with or after them could not be:
            // the client gets the route's true answer, and the operator this.
            log.LogError(ex, "The audit row of an MCP {Tool} call could not be written after its route ran", tool);
        }

        return new RoseToolAnswer(context.Response.StatusCode, System.Text.Encoding.UTF8.GetString(response.ToArray()));
    }

    private (RouteEndpoint Endpoint, RouteValueDictionary Values)? Match(HttpMethod method, PathString path)
    {
        foreach (var route in Routes())
        {
            if (!route.Methods.Contains(method.Method, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }

            var values = new RouteValueDictionary();
            if (route.Matcher.TryMatch(path, values))
            {
                return (route.Endpoint, values);
            }
        }

        return null;
    }

    /// <summary>
    /// The API's routes in match order with their matchers, built once per endpoint list (building a matcher
    /// parses its template: per call that was most of the cost of finding the route).
    /// </summary>
    private IReadOnlyList<ApiRoute> Routes()
    {
        var current = endpoints.Endpoints;
        var cached = routes;
        if (cached is not null && ReferenceEquals(cached.Source, current))
        {
            return cached.Routes;
        }

        var built = current.OfType<RouteEndpoint>()
            .Where(e => e.RequestDelegate is not null && e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods is not null)
            .OrderBy(e => e.RoutePattern.Parameters.Count).ThenBy(e => e.Order)
            .Select(e => new ApiRoute(e, e.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods,
                new TemplateMatcher(new RouteTemplate(e.RoutePattern), new RouteValueDictionary(e.RoutePattern.Defaults))))
            .ToList();
        routes = new RouteTable(current, built);
        return built;
    }

    private RouteTable? routes;

    private sealed record ApiRoute(RouteEndpoint Endpoint, IReadOnlyList<string> Methods, TemplateMatcher Matcher);

    private sealed record RouteTable(IReadOnlyList<Endpoint> Source, IReadOnlyList<ApiRoute> Routes);

    /// <summary>The route's [Authorize] data as the authorization middleware would combine it; none at all is a refusal.</summary>
    private async Task<bool> AuthorizedAsync(RouteEndpoint endpoint, System.Security.Claims.ClaimsPrincipal user)
    {
        var policy = await AuthorizationPolicy.CombineAsync(policies,
            endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>(), endpoint.Metadata.GetOrderedMetadata<AuthorizationPolicy>());
        if (policy is null)
        {
            return false;
        }

        return (await authorization.AuthorizeAsync(user, endpoint, policy)).Succeeded;
    }

    private sealed class HasBody : IHttpRequestBodyDetectionFeature
    {
        public static readonly HasBody Instance = new();

        public bool CanHaveBody => true;
    }

    private static RoseToolAnswer Answer(int status, string code, string error) =>
        new(status, JsonSerializer.Serialize(new { status = code, error }));
}
