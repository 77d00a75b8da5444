namespace Rose.Console.Mcp;

/// <summary>
/// One audit row per MCP tool call on /mcp, channel mcp (the server's decision: only this class
/// writes it, only for calls that arrived on /mcp), committed before the tool's route takes any effect
/// (before it runs, or for sql_execute in the same commit as the route's first row) so a call
/// without its audit row cannot happen. The row names the tool, the route and the argument names;
/// argument values stay out (they may hold SQL or devlog text, which the routes audit themselves),
/// except the query string of a read, with password-shaped fragments masked.
/// </summary>
internal sealed class McpToolAudit(AuditedActions actions)
{
    /// <summary>The operation of a tool-call row: "MCP TOOL SQL_LOGS", so the audit page's operation filter finds it.</summary>
    public static string Operation(string tool) => "MCP TOOL " + tool.ToUpperInvariant();

    private static readonly string[] AllowedBecause = ["MCP tool call; the route's own authorization and policy apply"];

    /// <summary>
    /// Runs the call's route inside its audit row: the attempt first (throws <see cref="AuditUnavailableException"/>
    /// when it cannot be written, and then nothing runs), the route's HTTP answer as the outcome.
    /// </summary>
    /// <param name="route">Runs the route; returns its HTTP status.</param>
    /// <param name="cancelled">Whether the client cancelled the call, read once the route is done.</param>
    public async Task<int> RunAsync(ToolCall call, Func<Task<int>> route, Func<bool> cancelled, CancellationToken ct)
    {
        var attempt = new AuditAttempt(call.Executor, Channel.Mcp, call.Database, call.Reason, call.Text, [Operation(call.Tool)], Decision.Allow, AllowedBecause);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        Func<Task<int>> timed = () =>
        {
            started = System.Diagnostics.Stopwatch.GetTimestamp();
            return route();
        };
        Func<int, AuditOutcome> outcome = status => Outcome(status, cancelled(), Elapsed(started));
        Func<Exception, AuditOutcome> failed = ex => Outcome(StatusCodes.Status500InternalServerError, ex is OperationCanceledException && cancelled(), Elapsed(started));
        var (_, status) = RouteAuditsEveryEffect(call.Tool)
            ? await actions.RunCoveredAsync(attempt, timed, outcome, failed)
            : await actions.RunAsync(attempt, _ => timed(), outcome, failed, ct);
        return status;
    }

    /// <summary>
    /// Tools whose route does nothing that is not itself an audited attempt written before it takes effect:
    /// sql_execute's route is the SQL pipeline alone (each statement, denial, refusal or parking has its own row).
    /// Their tool-call row is committed with the route's first row instead of in a commit of its own before the
    /// route (one control-database round trip less per call); every other tool's row commits before its route runs.
    /// </summary>
    public static bool RouteAuditsEveryEffect(string tool) => tool == "sql_execute";

    /// <summary>A call refused before its route ran (no such route, or the identity's role may not use it).</summary>
    public Task DeniedAsync(ToolCall call, string why, CancellationToken ct) =>
        actions.RecordAsync(new AuditAttempt(call.Executor, Channel.Mcp, call.Database, call.Reason, call.Text,
            [Operation(call.Tool)], Decision.Deny, [why]), new AuditOutcome(AuditStatus.Denied), ct);

    private static double Elapsed(long started) => System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;

    /// <summary>The route's HTTP answer as the row's outcome; the body stays out (it is the route's, audited there when it ran SQL).</summary>
    private static AuditOutcome Outcome(int httpStatus, bool cancelled, double elapsedMs) => cancelled
        ? new AuditOutcome(AuditStatus.Cancelled, DurationMs: elapsedMs, ErrorMessage: "the MCP client cancelled the call")
        : httpStatus switch
        {
            StatusCodes.Status202Accepted => new AuditOutcome(AuditStatus.PendingApproval, DurationMs: elapsedMs),
            >= 200 and < 300 => new AuditOutcome(AuditStatus.Succeeded, DurationMs: elapsedMs),
            StatusCodes.Status401Unauthorized or StatusCodes.Status403Forbidden =>
                new AuditOutcome(AuditStatus.Denied, DurationMs: elapsedMs, ErrorMessage: $"HTTP {httpStatus}"),
            _ => new AuditOutcome(AuditStatus.Failed, DurationMs: elapsedMs, ErrorMessage: $"HTTP {httpStatus}"),
        };

    /// <summary>What one tool call is, as its audit row shows it.</summary>
    internal sealed record ToolCall(Actor Executor, string Tool, string Database, string? Reason, string Text)
    {
        public static ToolCall From(Actor executor, string tool, HttpMethod method, PathString path, QueryString query,
            RouteValueDictionary? routeValues, byte[]? body)
        {
            string? database = routeValues?.TryGetValue("database", out var routeDb) == true ? routeDb as string : null;
            string? reason = null;
            var argumentNames = new List<string>();
            if (body is not null)
            {
                using var doc = JsonDocument.Parse(body);
                foreach (var property in doc.RootElement.EnumerateObject().Where(p => p.Value.ValueKind != JsonValueKind.Null))
                {
                    argumentNames.Add(property.Name);
                    if (property.Value.ValueKind == JsonValueKind.String && property.NameEquals("database"))
                    {
                        database ??= property.Value.GetString();
                    }
                    else if (property.Value.ValueKind == JsonValueKind.String && property.NameEquals("reason"))
                    {
                        reason = property.Value.GetString();
                    }
                }
            }

            // Reads name their arguments in the query string; values such as a search text are kept, masked like a reason.
            var route = $"{method.Method} {path}{SecretRedactor.Redact(Uri.UnescapeDataString(query.Value ?? string.Empty))}";
            var text = $"-- mcp: tool {AdminAuditLog.Quote(tool)} -> {AdminAuditLog.Quote(route)}" +
                (argumentNames.Count == 0 ? string.Empty : $"\n-- arguments: {AdminAuditLog.Quote(string.Join(", ", argumentNames))}");
            return new ToolCall(executor, tool, string.IsNullOrEmpty(database) ? AdminAuditLog.Database : database, reason, text);
        }
    }
}
