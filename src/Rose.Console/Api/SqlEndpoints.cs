using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;

namespace Rose.Console.Api;

/// <summary>POST /api/v1/sql/execute: the SQL proxy for agents (and operators), through the one pipeline.</summary>
internal static class SqlEndpoints
{
    /// <summary>The path the rose CLI's MCP server posts to; see <see cref="ChannelFor"/>.</summary>
    public const string McpExecutePath = "/mcp/sql/execute";

    public static void Map(RouteGroupBuilder api)
    {
        Produces(api.MapPost("/sql/execute", ([FromBody] ExecuteSqlRequest? body, HttpContext http, ExecutionService execution, CurrentIdentity identity, CancellationToken ct) =>
                ExecuteAsync(body, http, execution, identity, viaMcp: false, ct))
            .WithName("ExecuteSql")
            .WithSummary("Classify, check and run SQL; or park it for approval; or deny it."));
        Produces(api.MapPost(McpExecutePath, ([FromBody] ExecuteSqlRequest? body, HttpContext http, ExecutionService execution, CurrentIdentity identity, CancellationToken ct) =>
                ExecuteAsync(body, http, execution, identity, viaMcp: true, ct))
            .WithName("ExecuteSqlMcp")
            .WithSummary("The same as /sql/execute, recorded on the mcp channel when an agent key calls it (the rose MCP server does)."));
    }

    /// <summary>
    /// The channel is the server's decision, never the client's word: the MCP endpoint called with an
    /// agent's API key is mcp; everything else (any header, a person's cookie on the MCP path) is api.
    /// </summary>
    internal static Channel ChannelFor(bool viaMcp, Actor executor) =>
        viaMcp && executor.Kind == ActorKind.Agent ? Channel.Mcp : Channel.Api;

    /// <summary>As above, plus any identity's tool call that the console's own /mcp runs in process (a person's OAuth token included).</summary>
    internal static Channel ChannelFor(bool viaMcp, Actor executor, HttpContext http) =>
        Rose.Console.Mcp.InProcessApiBackend.IsMcpCall(http) ? Channel.Mcp : ChannelFor(viaMcp, executor);

    private static RouteHandlerBuilder Produces(RouteHandlerBuilder endpoint) =>
        endpoint
            .RunsThroughPipeline<ExecuteSqlResponse>()
            .Produces<ExecuteSqlResponse>(StatusCodes.Status422UnprocessableEntity)
            .Produces(StatusCodes.Status401Unauthorized)
            .Produces(StatusCodes.Status429TooManyRequests);

    private static async Task<IResult> ExecuteAsync(
        ExecuteSqlRequest? body,
        HttpContext http,
        ExecutionService execution,
        CurrentIdentity identity,
        bool viaMcp,
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

        var executor = CurrentIdentity.ToActor(http.User);
        var request = new ExecutionRequest(
            executor, ChannelFor(viaMcp, executor, http), body.Database ?? string.Empty, body.Sql ?? string.Empty,
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
