using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace Rose.Console.Mcp;

/// <summary>
/// POST /api/v1/mcp/tools/{tool}: where `rose mcp` (stdio, on the agent's machine) sends each tool
/// call, so a call over stdio goes through exactly what a call on /mcp does (<see cref="InProcessApiBackend"/>):
/// the agent's tool allow-list, the route's own authorization, one audit row on channel mcp, then the
/// route. Agent keys only: a person's MCP client uses /mcp. The body names the API route the tool
/// calls; the route decides everything else, so an agent can reach nothing here it could not call directly.
/// </summary>
internal static class McpRelayEndpoint
{
    public const string Prefix = "/mcp/tools";

    public static void Map(RouteGroupBuilder api) =>
        api.MapPost(Prefix + "/{tool}", RelayAsync)
            .RequireAuthorization(new AuthorizationPolicyBuilder().RequireRole(RoseRoles.Agent).Build())
            .WithName("McpToolRelay")
            .WithSummary("Runs one MCP tool call of `rose mcp` as /mcp does: allow-list, route authorization, audit on channel mcp.")
            .ExcludeFromDescription();

    private static async Task<IResult> RelayAsync(string tool, [FromBody] McpRelayRequest? body, HttpContext http,
        InProcessApiBackend backend, CancellationToken ct)
    {
        if (body?.Method is not ("GET" or "POST") || string.IsNullOrEmpty(body.Path)
            || body.Body is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Null) })
        {
            return Results.BadRequest(new { status = "bad_request", error = "The body must be JSON: {\"method\": \"GET\" | \"POST\", \"path\": \"/api/v1/...\", \"body\"?: {...}}." });
        }

        object? arguments = body.Body is { ValueKind: JsonValueKind.Object } given ? given : null;
        var answer = await backend.RunAsync(tool, new HttpMethod(body.Method), body.Path, arguments, http.User, ct);
        return new RelayedAnswer(answer);
    }

    /// <summary>
    /// The route's answer exactly as it left the route (already a problem document when it is an error), so
    /// `rose mcp` hands its client what /mcp would: not an IStatusCodeHttpResult, which the API's problem filter would rewrite.
    /// </summary>
    private sealed class RelayedAnswer(Rose.Mcp.RoseToolAnswer answer) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = answer.Status;
            httpContext.Response.ContentType = "application/json";
            return httpContext.Response.WriteAsync(answer.Body, httpContext.RequestAborted);
        }
    }

    /// <summary>The tool's API call as `rose mcp` built it from the shared catalog.</summary>
    internal sealed record McpRelayRequest(string? Method, string? Path, JsonElement? Body);
}
