using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Rose.Core.Export;
using Rose.Core.Workbench;

namespace Rose.Console.Api;

/// <summary>The workbench's services and its one HTTP endpoint: the streaming CSV export.</summary>
public static class WorkbenchEndpoints
{
    public static IServiceCollection AddWorkbench(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<SchemaCatalog>();
        services.AddSingleton<ExportTokens>();
        services.AddSingleton<Rose.Core.Control.ExportTicketStore>();
        return services;
    }

    /// <summary>
    /// GET /workbench/export/{token}: runs the parked statement through the pipeline with a CSV sink,
    /// so rows go from the server socket to the response as they arrive. The file holds one result
    /// set: the chosen statement's (its 0-based index in the batch; out of range answers 400 before
    /// anything runs), else the first one. Denied answers 403,
    /// parked answers 202, each with the reason as text; a database error before the first row
    /// answers 422. An error after rows went out aborts the response, so a partial file is never
    /// mistaken for a whole one.
    /// </summary>
    public static IEndpointRouteBuilder MapWorkbench(this IEndpointRouteBuilder app)
    {
        app.MapGet("/workbench/export/{token}", ExportTokenAsync).RequireAuthorization(RosePolicies.Operator);
        // The same stream for scripts and benchmarks: a form post, guarded by the antiforgery token
        // every console page carries (minimal APIs validate it for [FromForm] endpoints).
        app.MapPost("/workbench/export", ExportFormAsync).RequireAuthorization(RosePolicies.Operator);
        return app;
    }

    private static async Task<IResult> ExportTokenAsync(string token, HttpContext http, ExportTokens tokens,
        ExecutionService execution, CurrentIdentity identity, CancellationToken ct)
    {
        var ticket = await tokens.RedeemAsync(token, CurrentIdentity.ToActor(http.User).Id, ct);
        return ticket is null
            ? Results.Text("This export link is unknown, used or expired; start the export again from the workbench.", statusCode: StatusCodes.Status404NotFound)
            : await StreamCsvAsync(http, execution, identity, new ExportRequest(ticket.Database, ticket.Sql, ticket.Reason, ticket.Statement), ct);
    }

    private static async Task<IResult> ExportFormAsync([FromForm] ExportForm form, HttpContext http,
        ExecutionService execution, CurrentIdentity identity, CancellationToken ct)
    {
        // Parsed here rather than bound as int?, so a bad value gets a message instead of a bare 400.
        int? statement = null;
        if (!string.IsNullOrWhiteSpace(form.Statement))
        {
            if (!int.TryParse(form.Statement, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index))
            {
                return Results.Text($"statement must be a statement's 0-based index in the batch, not '{form.Statement}'.", statusCode: StatusCodes.Status400BadRequest);
            }

            statement = index;
        }

        return await StreamCsvAsync(http, execution, identity, new ExportRequest(form.Database ?? string.Empty, form.Sql ?? string.Empty, form.Reason, statement), ct);
    }

    private static async Task<IResult> StreamCsvAsync(HttpContext http, ExecutionService execution, CurrentIdentity identity,
        ExportRequest request, CancellationToken ct)
    {
        var (database, sql, reason, statement) = request;
        var executor = CurrentIdentity.ToActor(http.User);

        var response = http.Response;
        var fileName = $"{database}-{DateTime.UtcNow:yyyyMMdd-HHmmss}.csv";
        var sink = new CsvRowSink(response.Body, async c =>
        {
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "text/csv; charset=utf-8";
            response.Headers.ContentDisposition = $"attachment; filename=\"{fileName}\"";
            await response.StartAsync(c);
        }, statement);

        ExecutionOutcome outcome;
        try
        {
            var policy = await identity.PolicyForAsync(http.User, ct);
            // Checked against the parser's statements before anything runs or is audited: a bad index is the caller's mistake.
            if (statement is { } wanted && execution.Preview(database, sql, policy).Batch.Statements.Count is var count && wanted >= count)
            {
                return Results.Text($"statement {wanted} is out of range: the batch has {count} statement{(count == 1 ? "" : "s")} (indexes from 0).",
                    statusCode: StatusCodes.Status400BadRequest);
            }

            outcome = await execution.ExecuteAsync(
                new ExecutionRequest(executor, Channel.Workbench, database, sql, reason, policy), sink, ct);
        }
        catch (ExecutionRequestException ex)
        {
            return Results.Text(ex.Message, statusCode: StatusCodes.Status400BadRequest);
        }
        catch (AuditUnavailableException ex)
        {
            return Results.Text(ex.Message, statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        switch (outcome.Status)
        {
            case OutcomeStatus.Denied:
                return Results.Text("Denied: " + string.Join("; ", outcome.Reasons), statusCode: StatusCodes.Status403Forbidden);
            case OutcomeStatus.PendingApproval:
                return Results.Text($"Approval requested: /approvals/{outcome.ApprovalId} ({string.Join("; ", outcome.Reasons)})",
                    statusCode: StatusCodes.Status202Accepted);
            case OutcomeStatus.Succeeded when sink.Started:
                await sink.FlushAsync(ct);
                return Results.Empty;
            case OutcomeStatus.Succeeded:
                return Results.Text(statement is { } none ? $"Statement {none} returned no rows to export." : "The statement returned no rows to export.",
                    statusCode: StatusCodes.Status422UnprocessableEntity);
            default:
                if (sink.Started)
                {
                    http.Abort();
                    return Results.Empty;
                }

                var error = outcome.Result?.Error;
                return Results.Text(error is null ? "The export was cancelled." : $"{error.SqlState}: {error.Message}",
                    statusCode: StatusCodes.Status422UnprocessableEntity);
        }
    }
}

/// <summary>Fields of POST /workbench/export.</summary>
public sealed class ExportForm
{
    public string? Database { get; set; }
    public string? Sql { get; set; }
    public string? Reason { get; set; }

    /// <summary>0-based index in the batch of the statement whose rows to export; empty for the first result set.</summary>
    public string? Statement { get; set; }
}

/// <summary>One export: what to run and which statement's rows to write.</summary>
internal sealed record ExportRequest(string Database, string Sql, string? Reason, int? Statement);
