using Rose.Core.Agents;

namespace Rose.Console.Api;

/// <summary>
/// Wraps the SQL execute endpoints from before authentication, so every answer they give is in the
/// audit log: the pipeline records what reaches it, and this records the rest (400 bad JSON or bad
/// fields, 401 no or wrong key, 403, 413 too large, 429 throttled) as rejected attempts through
/// <see cref="RejectedRequestLog"/>. The body is not stored: an unauthenticated caller must not be able
/// to write text into the log; its size is.
/// </summary>
internal sealed class SqlRequestAuditMiddleware(RequestDelegate next)
{
    private static readonly string[] Paths = ["/api/v1/sql/execute", "/api/v1" + SqlEndpoints.McpExecutePath];

    public async Task InvokeAsync(HttpContext http, RejectedRequestLog rejected)
    {
        if (!HttpMethods.IsPost(http.Request.Method) || !Paths.Contains(http.Request.Path.Value, StringComparer.OrdinalIgnoreCase))
        {
            await next(http);
            return;
        }

        var tracked = AttemptTracker.Begin();
        try
        {
            await next(http);
        }
        catch (Exception ex)
        {
            // In Development a malformed body throws (the exception page answers 400 further out).
            if (!tracked.Recorded)
            {
                await rejected.RecordAsync(Describe(http, ex is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError), CancellationToken.None);
            }

            throw;
        }

        if (!tracked.Recorded && http.Response.StatusCode >= 400)
        {
            await rejected.RecordAsync(Describe(http, http.Response.StatusCode), CancellationToken.None);
        }
    }

    private static RejectedRequest Describe(HttpContext http, int status)
    {
        var viaMcp = http.Request.Path.Value!.Contains("/mcp/", StringComparison.OrdinalIgnoreCase);
        var size = http.Request.ContentLength is { } length ? length.ToString("N0", CultureInfo.InvariantCulture) + " bytes" : "unknown size";
        var request = $"-- rejected {http.Request.Method} {http.Request.Path.Value} ({size}); the body is not stored";
        if (http.User.Identity?.IsAuthenticated == true)
        {
            var executor = CurrentIdentity.ToActor(http.User);
            return new RejectedRequest(executor, SqlEndpoints.ChannelFor(viaMcp, executor), executor.Id, "-", status, Why(status), request);
        }

        // Unauthenticated: only the key's non-secret prefix (what the /agents page shows) names the caller.
        var header = http.Request.Headers.Authorization.ToString();
        var key = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
        var prefix = string.IsNullOrEmpty(key) ? "none" : ApiKeys.DisplayPrefix(key);
        var address = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        var anonymous = new Actor("unauthenticated", $"unauthenticated (key {prefix})", ActorKind.Agent, "none");
        return new RejectedRequest(anonymous, Channel.Api, $"address:{address}", "-", status, Why(status) + $"; key {prefix}; from {address}", request);
    }

    private static string Why(int status) => status switch
    {
        StatusCodes.Status400BadRequest => "bad request (malformed JSON or fields, unknown database, SQL over Rose:Execution:MaxSqlLength)",
        StatusCodes.Status401Unauthorized => "no valid credentials",
        StatusCodes.Status403Forbidden => "the identity may not run SQL",
        StatusCodes.Status413PayloadTooLarge => "request body too large",
        StatusCodes.Status429TooManyRequests => "rate limited",
        _ => "refused",
    };
}
