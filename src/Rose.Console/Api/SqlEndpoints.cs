using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;
using Rose.Console.Auth;
using Rose.Core.Audit;
using Rose.Core.Execution;
using Rose.Core.Identity;

namespace Rose.Console.Api;

/// <summary>POST /api/v1/sql/execute: the SQL proxy for agents (and operators), through the one pipeline.</summary>
internal static class SqlEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/sql/execute", ExecuteAsync)
            .RequireAuthorization(RosePolicies.SqlRunner)
            .WithName("ExecuteSql")
            .WithSummary("Classify, check and run SQL; or park it for approval; or deny it.")
            .Produces<ExecuteSqlResponse>(StatusCodes.Status200OK)
            .Produces<ExecuteSqlResponse>(StatusCodes.Status202Accepted)
            .Produces<ExecuteSqlResponse>(StatusCodes.Status403Forbidden)
            .Produces<ExecuteSqlResponse>(StatusCodes.Status422UnprocessableEntity)
            .Produces<BadRequestResponse>(StatusCodes.Status400BadRequest)
            .Produces(StatusCodes.Status401Unauthorized)
            .Produces(StatusCodes.Status429TooManyRequests);
    }

    private static async Task<IResult> ExecuteAsync(
        [FromBody] ExecuteSqlRequest? body,
        HttpContext http,
        ExecutionService execution,
        CurrentIdentity identity,
        CancellationToken ct)
    {
        if (body is null)
        {
            return Results.BadRequest(new BadRequestResponse("bad_request", "The body must be JSON: {\"database\", \"sql\", \"reason\", \"max_rows\"?}."));
        }

        if (body.MaxRows is <= 0)
        {
            return Results.BadRequest(new BadRequestResponse("bad_request", "max_rows must be a positive number."));
        }

        var channel = http.Request.Headers.TryGetValue("X-Rose-Channel", out var ch) && ch == "mcp" ? Channel.Mcp : Channel.Api;
        var request = new ExecutionRequest(
            CurrentIdentity.ToExecutor(http.User), channel, body.Database ?? string.Empty, body.Sql ?? string.Empty,
            body.Reason, await identity.PolicyForAsync(http.User, ct), body.MaxRows);
        try
        {
            var outcome = await execution.ExecuteAsync(request, sink: null, ct);
            return ToResult(outcome);
        }
        catch (ExecutionRequestException ex)
        {
            return Results.BadRequest(new BadRequestResponse("bad_request", ex.Message));
        }
        catch (AuditUnavailableException ex)
        {
            return Results.Json(new BadRequestResponse("unavailable", ex.Message), statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    internal static IResult ToResult(ExecutionOutcome outcome) => outcome.Status switch
    {
        OutcomeStatus.Succeeded => Results.Ok(new ExecuteSqlResponse
        {
            Status = "succeeded",
            AuditId = outcome.AuditId,
            Statements = outcome.Result!.Statements.Select(ToDto).ToList(),
            Notes = outcome.Result.Notes.Count > 0 ? outcome.Result.Notes : null,
        }),
        OutcomeStatus.PendingApproval => Results.Json(new ExecuteSqlResponse
        {
            Status = "pending_approval",
            ApprovalId = outcome.ApprovalId,
            AuditId = outcome.AuditId,
            Reasons = outcome.Reasons,
            Operations = outcome.Decision.Operations,
        }, statusCode: StatusCodes.Status202Accepted),
        OutcomeStatus.Denied => Results.Json(new ExecuteSqlResponse
        {
            Status = "denied",
            AuditId = outcome.AuditId,
            Reasons = outcome.Reasons,
            Operations = outcome.Decision.Operations,
        }, statusCode: StatusCodes.Status403Forbidden),
        _ => Results.Json(new ExecuteSqlResponse
        {
            Status = outcome.Status == OutcomeStatus.Cancelled ? "cancelled" : "failed",
            AuditId = outcome.AuditId,
            Error = outcome.Result?.Error is { } e ? new ErrorDto(e.SqlState, e.Message, e.Detail, e.Hint, e.Position, e.StatementIndex) : null,
            Statements = outcome.Result?.Statements.Select(ToDto).ToList(),
        }, statusCode: StatusCodes.Status422UnprocessableEntity),
    };

    private static StatementDto ToDto(StatementResult s)
    {
        var rows = s.Rows.Select(row =>
        {
            var array = new JsonArray();
            for (var i = 0; i < row.Length; i++)
            {
                array.Add(JsonValueMapper.ToJson(row[i], s.Columns[i].Type));
            }

            return array;
        }).ToList();
        return new StatementDto(s.Index, s.Tag, s.RowsAffected, s.Columns.Select(c => new ColumnDto(c.Name, c.Type)).ToList(),
            rows, s.Truncated, s.RowCount, Math.Round(s.DurationMs, 3), s.Notices.Select(n => $"{n.Severity}: {n.Message}").ToList());
    }
}
