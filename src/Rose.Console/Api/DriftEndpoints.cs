using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Mvc;
using Rose.Core.Migrations.Reversibility;

namespace Rose.Console.Api;

/// <summary>One object that differs: added (on the target only), removed (built by the migrations, gone) or changed.</summary>
public sealed record DriftDifferenceDto(
    [property: JsonPropertyName("change")] string Change,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("expected")] string? Expected,
    [property: JsonPropertyName("actual")] string? Actual);

public sealed record DriftResponse(
    [property: JsonPropertyName("database")] string Database,
    [property: JsonPropertyName("drift")] bool Drift,
    [property: JsonPropertyName("applied_version")] string? AppliedVersion,
    [property: JsonPropertyName("replayed")] int Replayed,
    [property: JsonPropertyName("differences")] IReadOnlyList<DriftDifferenceDto> Differences,
    [property: JsonPropertyName("notes")] IReadOnlyList<string> Notes,
    [property: JsonPropertyName("audit_id")] long AuditId)
{
    public static string ChangeName(SchemaChange change) => change switch
    {
        SchemaChange.Unexpected => "added",
        SchemaChange.Missing => "removed",
        _ => "changed",
    };

    public static DriftResponse From(DriftReport report) => new(report.Database, report.HasDrift, report.AppliedVersion, report.Replayed,
        [.. report.Differences.Select(d => new DriftDifferenceDto(ChangeName(d.Change), d.Kind, d.Name, d.Expected, d.Actual))], report.Notes, report.AuditId);
}

/// <summary>POST /api/v1/migrations/{database}/drift: the live schema against the schema its applied migrations build.</summary>
internal static class DriftEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/migrations/{database}/drift", DriftAsync)
            .RequireAuthorization(RosePolicies.SqlRunner)
            .WithName("MigrationDrift")
            .WithSummary("Replay the applied migrations on a scratch database and list objects added, removed or changed on the target outside them. The target is only read.")
            .Produces<DriftResponse>()
            .Produces<BadRequestResponse>(StatusCodes.Status400BadRequest);
    }

    private static async Task<IResult> DriftAsync([FromRoute] string database, [FromBody] MigrationFilesRequest? body, HttpContext http,
        SchemaDrift drift, CurrentIdentity identity, CancellationToken ct)
    {
        try
        {
            var report = await drift.CheckAsync(database, MigrationDtos.Files(body?.Migrations), CurrentIdentity.ToActor(http.User),
                await identity.PolicyForAsync(http.User, ct), ct);
            return Results.Ok(DriftResponse.From(report));
        }
        catch (Exception ex) when (ex is MigrationException or ExecutionRequestException)
        {
            return Results.BadRequest(new BadRequestResponse("bad_request", ex.Message));
        }
        catch (AuditUnavailableException ex)
        {
            return Results.Json(new BadRequestResponse("unavailable", ex.Message), statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }
}
