using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;

namespace Rose.Console.Api;

/// <summary>
/// Every 4xx/5xx answer of /api as an RFC 9457 problem document (application/problem+json):
/// type, title, status (the HTTP status), detail, plus Rose's members where they apply: code
/// (Rose's outcome, e.g. bad_request, denied, failed), reasons, sqlstate, audit_id, and what the
/// endpoint answered besides (error, operations, statements...). One mapping for endpoint results,
/// empty status answers and exceptions.
/// </summary>
public static class ApiProblems
{
    /// <summary>Prefix of Rose's problem types; the suffix is the code (README: "API errors").</summary>
    public const string TypePrefix = "urn:rose:problem:";

    private static readonly Dictionary<string, string> Titles = new(StringComparer.Ordinal)
    {
        ["bad_request"] = "The request is not valid",
        ["unauthorized"] = "Sign-in or an API key is required",
        ["forbidden"] = "This identity may not do this",
        ["denied"] = "Denied by policy",
        ["not_found"] = "Not found",
        ["method_not_allowed"] = "Method not allowed",
        ["conflict"] = "The rows changed since",
        ["not_restorable"] = "The change cannot be rolled back automatically",
        ["failed"] = "The SQL failed",
        ["cancelled"] = "The SQL was cancelled",
        ["payload_too_large"] = "The request body is too large",
        ["unsupported_media_type"] = "The body must be JSON",
        ["rate_limited"] = "Too many requests",
        ["unavailable"] = "Service unavailable",
        ["internal_error"] = "Internal error",
    };

    /// <summary>Whether this request is answered with problem documents.</summary>
    public static bool IsApi(HttpContext http) => http.Request.Path.StartsWithSegments("/api");

    /// <summary>Rose's default code for an HTTP status that carries no outcome of its own.</summary>
    public static string CodeFor(int status) => status switch
    {
        400 => "bad_request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        409 => "conflict",
        413 => "payload_too_large",
        415 => "unsupported_media_type",
        422 => "failed",
        429 => "rate_limited",
        503 => "unavailable",
        >= 500 => "internal_error",
        _ => "error",
    };

    /// <summary>A problem with Rose's type and title for <paramref name="code"/>.</summary>
    public static ProblemDetails Create(int status, string? code, string? detail)
    {
        code ??= CodeFor(status);
        var problem = new ProblemDetails
        {
            Type = TypePrefix + code,
            Title = Titles.GetValueOrDefault(code) ?? ReasonPhrases.GetReasonPhrase(status),
            Status = status,
            Detail = detail ?? ReasonPhrases.GetReasonPhrase(status),
        };
        problem.Extensions["code"] = code;
        // The message member Rose's answers had before problem documents; clients read it.
        problem.Extensions["error"] = problem.Detail;
        return problem;
    }

    /// <summary>The problem an endpoint's error body stands for: its members become the problem's members.</summary>
    public static ProblemDetails FromBody(int status, object? body, JsonSerializerOptions json)
    {
        var members = body is null ? null : JsonSerializer.SerializeToNode(body, body.GetType(), json) as JsonObject;
        if (members is null)
        {
            return Create(status, null, null);
        }

        // Rose's answers used "status" for the outcome; in a problem document it is the HTTP status.
        var code = members["status"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
        var problem = Create(status, code, DetailOf(members));
        if (members["error"] is JsonObject error && error["sqlstate"] is JsonValue sqlstate)
        {
            problem.Extensions["sqlstate"] = sqlstate.DeepClone();
        }

        foreach (var (name, value) in members)
        {
            if (name is not ("status" or "type" or "title" or "detail" or "instance"))
            {
                problem.Extensions[name] = value?.DeepClone();
            }
        }

        return problem;
    }

    /// <summary>An endpoint result with an error status becomes a problem result; others pass as they are.</summary>
    public static object? Wrap(object? result, HttpContext http)
    {
        if (result is not IStatusCodeHttpResult { StatusCode: >= 400 and var status } || result is ProblemHttpResult)
        {
            return result;
        }

        var json = http.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        return TypedResults.Problem(FromBody(status, (result as IValueHttpResult)?.Value, json));
    }

    /// <summary>Writes a problem document whatever the request's Accept header says.</summary>
    public static Task WriteAsync(HttpContext http, ProblemDetails problem) => TypedResults.Problem(problem).ExecuteAsync(http);

    private static string? DetailOf(JsonObject members)
    {
        if (members["error"] is JsonValue text && text.TryGetValue<string>(out var message))
        {
            return message;
        }

        if (members["error"] is JsonObject error && error["message"] is JsonValue sqlMessage && sqlMessage.TryGetValue<string>(out var m))
        {
            return m;
        }

        return members["reasons"] is JsonArray { Count: > 0 } reasons
            ? string.Join("; ", reasons.Select(r => r?.ToString()).Where(r => !string.IsNullOrEmpty(r)))
            : null;
    }
}
