using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;
using Rose.Core.Validation;
using Rose.Core.Validation.Storage;

namespace Rose.Console.Api;

/// <summary>Body of POST /api/v1/validation/run.</summary>
public sealed record ValidationRunRequest(string? Database);

/// <summary>
/// POST /api/v1/validation/run (operators and agents), GET /api/v1/validation/runs and
/// /runs/{id} (viewers and agents). Runs read the target through the pipeline (channel validation).
/// </summary>
internal static class ValidationEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/validation/run", RunAsync)
            .RequireAuthorization(RosePolicies.SqlRunner)
            .WithName("ValidationRun")
            .WithSummary("Run the data checks and schema audit of a database; results failing first.");

        api.MapGet("/validation/runs", async (ValidationRunStore runs, string? database, int? limit, CancellationToken ct) =>
        {
            if (limit is < 1 or > 500)
            {
                return Results.BadRequest(new BadRequestResponse("bad_request", "limit must be between 1 and 500."));
            }

            var list = await runs.ListAsync(string.IsNullOrWhiteSpace(database) ? null : database, limit ?? 50, ct);
            return Results.Ok(new { runs = list.Select(RunDto) });
        }).RequireAuthorization(RosePolicies.Reader).WithName("ValidationRuns").WithSummary("Validation runs, newest first.");

        api.MapGet("/validation/runs/{id:long}", async (long id, ValidationRunStore runs, ValidationResultStore results,
            ValidationFindingStore findings, CancellationToken ct) =>
        {
            var run = await runs.GetAsync(id, ct);
            if (run is null)
            {
                return Results.NotFound(new BadRequestResponse("not_found", $"No validation run {id}."));
            }

            var stored = await results.ForRunAsync(id, ct);
            var found = await findings.ForRunAsync(id, ct);
            var dto = RunDto(run);
            dto["results"] = new JsonArray([.. stored.Select(s => ResultDto(s.Result))]);
            dto["findings"] = new JsonArray([.. found.Select(FindingDto)]);
            return Results.Ok(dto);
        }).RequireAuthorization(RosePolicies.Reader).WithName("ValidationRunDetail").WithSummary("One run with its results and audit findings.");
    }

    private static async Task<IResult> RunAsync([FromBody] ValidationRunRequest? body, HttpContext http, ValidationRunner runner,
        TargetRegistry targets, CurrentIdentity identity, CancellationToken ct)
    {
        if (body is null || string.IsNullOrWhiteSpace(body.Database))
        {
            return Results.BadRequest(new BadRequestResponse("bad_request", "The body must be JSON: {\"database\": \"name\"}."));
        }

        // An agent validates only databases its own policy names; the checks themselves only ever read.
        var (name, refusal) = await TargetAccess.CheckAsync(body.Database, http, targets, identity, ct);
        if (name is null)
        {
            return refusal!;
        }

        try
        {
            var report = await runner.RunAsync(name, CurrentIdentity.ToActor(http.User), ct);
            return Results.Ok(ReportDto(report));
        }
        catch (AuditUnavailableException ex)
        {
            return Results.Json(new BadRequestResponse("unavailable", ex.Message), statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    internal static JsonObject ReportDto(ValidationReport report) => new()
    {
        ["run_id"] = report.RunId,
        ["database"] = report.Database,
        ["status"] = report.Status,
        ["health"] = report.Summary.Health,
        ["started_at"] = report.StartedAt,
        ["duration_ms"] = Math.Round(report.DurationMs, 1),
        ["summary"] = SummaryDto(report.Summary),
        ["results"] = new JsonArray([.. report.Results.Select(ResultDto)]),
        ["findings"] = new JsonArray([.. report.Findings.Select(FindingDto)]),
        ["errors"] = new JsonArray([.. report.Errors.Select(e => (JsonNode?)e)]),
    };

    private static JsonObject SummaryDto(ValidationSummary s) => new()
    {
        ["pass"] = s.Pass, ["warn"] = s.Warn, ["fail"] = s.Fail, ["error"] = s.Error, ["findings"] = s.Findings,
    };

    private static JsonObject RunDto(ValidationRun run) => new()
    {
        ["id"] = run.Id,
        ["database"] = run.Database,
        ["started_at"] = run.StartedAt,
        ["finished_at"] = run.FinishedAt,
        ["triggered_by"] = run.TriggeredBy,
        ["status"] = run.Status,
        ["schedule_slot"] = run.ScheduleSlot,
        ["summary"] = run.SummaryJson is null ? null : JsonNode.Parse(run.SummaryJson),
        ["error"] = run.Error,
        ["heartbeat_at"] = run.HeartbeatAt,
    };

    private static JsonObject ResultDto(CheckResult r) => new()
    {
        ["key"] = r.Key,
        ["kind"] = r.Kind,
        ["table"] = r.Table,
        ["column"] = r.Column,
        ["title"] = r.Title,
        ["status"] = r.Status,
        ["failing_rows"] = r.FailingRows,
        ["message"] = r.Message,
        ["observed"] = r.Observed,
        ["sample"] = r.Sample is null ? null : new JsonObject
        {
            ["columns"] = new JsonArray([.. r.Sample.Columns.Select(c => (JsonNode?)c)]),
            ["rows"] = new JsonArray([.. r.Sample.Rows.Select(row => (JsonNode?)new JsonArray([.. row.Select(v => (JsonNode?)v)]))]),
        },
        ["sql"] = r.Sql,
        ["duration_ms"] = Math.Round(r.DurationMs, 2),
    };

    private static JsonObject FindingDto(SchemaFinding f) => new()
    {
        ["rule"] = f.Rule, ["severity"] = f.Severity, ["object"] = f.Object, ["detail"] = f.Detail, ["remediation"] = f.Remediation,
    };
}
