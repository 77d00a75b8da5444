using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Mvc;

namespace Rose.Console.Api;

/// <summary>{"reason"}: why the change is rolled back (recorded on the rollback's audit row).</summary>
public sealed record RollbackRequest([property: JsonPropertyName("reason")] string? Reason);

/// <summary>409: the rows that changed since the change (by primary key), or why it cannot be restored.</summary>
public sealed record RollbackConflictResponse(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("error")] string Error,
    [property: JsonPropertyName("rows")] IReadOnlyList<string>? Rows);

/// <summary>POST /api/v1/changes/{audit_id}/rollback: undo a change from its prior backup, through the pipeline.</summary>
internal static class UndoEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/changes/{id:long}/rollback", RollbackAsync)
            .RunsThroughPipeline<ExecuteSqlResponse>()
            .WithName("RollbackChange")
            .WithSummary("Restore what a change deleted, updated, truncated or dropped, from its prior backup; the restoring SQL runs through the pipeline (200 executed, 202 parked).")
            .Produces<RollbackConflictResponse>(StatusCodes.Status409Conflict)
            .Produces<BadRequestResponse>(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> RollbackAsync([FromRoute(Name = "id")] long auditId, [FromBody] RollbackRequest? body,
        HttpContext http, ChangeRollback rollback, CurrentIdentity identity, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(body?.Reason))
        {
            return Results.BadRequest(new BadRequestResponse("bad_request", "The body must be JSON: {\"reason\"}, saying why the change is rolled back."));
        }

        var executor = CurrentIdentity.ToActor(http.User);
        try
        {
            var outcome = await rollback.RollbackAsync(auditId, executor, SqlEndpoints.ChannelFor(viaMcp: false, executor),
                await identity.PolicyForAsync(http.User, ct), body.Reason, ct);
            return SqlEndpoints.ToResult(outcome);
        }
        catch (RollbackNotFoundException ex)
        {
            return Results.NotFound(new BadRequestResponse("not_found", ex.Message));
        }
        catch (RollbackConflictException ex)
        {
            return Results.Conflict(new RollbackConflictResponse("conflict", ex.Message, ex.Rows));
        }
        catch (RollbackRefusedException ex)
        {
            return Results.Conflict(new RollbackConflictResponse("not_restorable", ex.Message, null));
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
}
