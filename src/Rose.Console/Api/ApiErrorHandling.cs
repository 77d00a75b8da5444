using Microsoft.AspNetCore.Diagnostics;

namespace Rose.Console.Api;

/// <summary>
/// Wires <see cref="ApiProblems"/> into the pipeline: endpoint results (a filter on the /api group),
/// answers that carry only a status (401 from the cookie, 404 for unknown routes, 405...), and
/// exceptions (bad JSON bodies included) all leave /api as problem documents, in every environment.
/// </summary>
public static class ApiErrorHandling
{
    public static IServiceCollection AddRoseApiErrors(this IServiceCollection services)
    {
        services.AddProblemDetails();
        services.AddExceptionHandler<ApiExceptionHandler>();
        // Body binding errors throw (with the JSON path) instead of answering a bare 400, so the
        // exception handler can name the field in every environment.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        return services;
    }

    /// <summary>
    /// Before everything else in the pipeline. Outside Development every exception goes to the handler;
    /// in Development pages keep the developer exception page and only /api answers problems.
    /// </summary>
    /// <summary>What a 503 asks the client to wait: long enough for a control database restart or a failover to begin answering.</summary>
    internal const string RetryAfterSeconds = "5";

    public static WebApplication UseRoseApiErrors(this WebApplication app)
    {
        if (app.Environment.IsDevelopment())
        {
            app.UseWhen(ApiProblems.IsApi, branch => branch.UseExceptionHandler("/error"));
        }
        else
        {
            app.UseExceptionHandler("/error", createScopeForErrors: true);
        }

        // Every 503 of the API (control database away, audit unwritable, not ready) tells the client when to come back.
        app.Use((http, next) =>
        {
            if (ApiProblems.IsApi(http))
            {
                http.Response.OnStarting(() =>
                {
                    if (http.Response.StatusCode == StatusCodes.Status503ServiceUnavailable && !http.Response.Headers.ContainsKey("Retry-After"))
                    {
                        http.Response.Headers.RetryAfter = RetryAfterSeconds;
                    }

                    return Task.CompletedTask;
                });
            }

            return next(http);
        });
        app.UseStatusCodePages(context => ApiProblems.IsApi(context.HttpContext)
            ? ApiProblems.WriteAsync(context.HttpContext, ApiProblems.Create(
                context.HttpContext.Response.StatusCode, null, StatusDetail(context.HttpContext)))
            : Task.CompletedTask);
        return app;
    }

    /// <summary>The exception handler's page for everything that is not /api: a problem without the exception.</summary>
    public static void MapRoseErrorEndpoint(this WebApplication app) =>
        app.Map("/error", () => TypedResults.Problem(ApiProblems.Create(
                StatusCodes.Status500InternalServerError, null, "An unexpected error occurred; it is logged on the server.")))
            .AllowAnonymous()
            .ExcludeFromDescription();

    /// <summary>Makes every error result of the group's endpoints a problem document.</summary>
    public static RouteGroupBuilder WithProblemDetails(this RouteGroupBuilder api)
    {
        api.AddEndpointFilter(async (context, next) => ApiProblems.Wrap(await next(context), context.HttpContext));
        return api;
    }

    private static string StatusDetail(HttpContext http) => http.Response.StatusCode switch
    {
        401 => "Sign in, or send an API key as 'Authorization: Bearer <key>'.",
        403 => "This identity may not use this endpoint.",
        404 => "There is no API endpoint at this path.",
        405 => $"This API endpoint does not accept {http.Request.Method}.",
        var status => Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status),
    };
}

/// <summary>Exceptions under /api: bad request bodies name the field; anything else is a 500 without internals.</summary>
internal sealed class ApiExceptionHandler(ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        // The middleware has already pointed Request.Path at /error; the feature keeps the path that failed.
        var path = http.Features.Get<IExceptionHandlerFeature>()?.Path ?? http.Request.Path.Value;
        if (path is null || !new PathString(path).StartsWithSegments("/api") || http.Response.HasStarted)
        {
            return false;
        }

        if (exception is BadHttpRequestException bad)
        {
            logger.LogInformation("Bad API request {Method} {Path}: {Status}", http.Request.Method, path, bad.StatusCode);
            await ApiProblems.WriteAsync(http, ApiProblems.Create(bad.StatusCode, null, BadRequestDetail(bad)));
            return true;
        }

        if (ControlDatabaseAway(exception))
        {
            // Not a bug: the control database (API keys, audit) is restarting, unreachable or out of connections.
            logger.LogWarning("{Method} {Path}: the control database is unavailable ({Error})", http.Request.Method, path, exception.Message);
            await ApiProblems.WriteAsync(http, ApiProblems.Create(StatusCodes.Status503ServiceUnavailable, null,
                "The control database is unavailable; retry after the Retry-After seconds. Whatever ran is in the audit log once it is back."));
            return true;
        }

        logger.LogError(exception, "Unhandled error in {Method} {Path}", http.Request.Method, path);
        await ApiProblems.WriteAsync(http, ApiProblems.Create(StatusCodes.Status500InternalServerError, null,
            "An unexpected error occurred; it is logged on the server. Nothing was changed by this answer."));
        return true;
    }

    /// <summary>
    /// Connection-level failures (refused, reset, timed out, pool exhausted) and the server saying it is
    /// shutting down or starting (SQLSTATE classes 08 and 57P). A query error is a bug, not an outage.
    /// </summary>
    internal static bool ControlDatabaseAway(Exception exception) => Rose.Core.Errors.DatabaseErrors.IsUnavailable(exception);

    /// <summary>Names the JSON field that could not be read; never the exception text (it names .NET types).</summary>
    internal static string BadRequestDetail(BadHttpRequestException bad)
    {
        var json = FindJsonError(bad);
        if (json is null)
        {
            return bad.StatusCode == StatusCodes.Status415UnsupportedMediaType
                ? "The body must be JSON (Content-Type: application/json)."
                : "The request could not be read.";
        }

        var field = FieldName(json.Path);
        // System.Text.Json reports lone surrogates and invalid UTF-8 as InvalidOperationException about
        // UTF-16/UTF-8 text, a value of another JSON type as a conversion error, bad syntax as a reader error.
        var what = json.InnerException is InvalidOperationException { Message: var m } && m.Contains("UTF-", StringComparison.Ordinal)
            ? "holds text that is not valid Unicode (for example a lone surrogate escape)"
            : json.InnerException is JsonException || json.InnerException?.GetType().Name == "JsonReaderException"
                ? "is not valid JSON"
                : "has the wrong type";
        var where = json.LineNumber is { } line && json.BytePositionInLine is { } pos
            ? $" (line {line + 1}, byte {pos + 1})"
            : string.Empty;
        return field is null
            ? $"The body {what}{where}."
            : $"Field '{field}' {what}{where}.";
    }

    private static JsonException? FindJsonError(Exception exception)
    {
        for (var e = exception.InnerException; e is not null; e = e.InnerException)
        {
            if (e is JsonException json)
            {
                return json;
            }
        }

        return null;
    }

    /// <summary>"$.max_rows" → "max_rows", "$.migrations[2].sql" → "migrations[2].sql"; the root has no name.</summary>
    private static string? FieldName(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            return null;
        }

        var name = path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
        return name.Length == 0 ? null : name;
    }
}
