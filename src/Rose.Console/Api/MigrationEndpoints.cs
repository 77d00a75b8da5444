using Microsoft.AspNetCore.Mvc;
using Rose.Core.Migrations.Reversibility;

namespace Rose.Console.Api;

/// <summary>
/// POST /api/v1/sql/migrate (apply, all-or-nothing per migration or per run) and the read side under
/// /api/v1/migrations/{database}: status, plan, verify, undo, snapshots. Thin: every rule is in Core.
/// </summary>
internal static class MigrationEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/sql/migrate", MigrateAsync)
            .RunsThroughPipeline<MigrateResponse>()
            .WithName("Migrate")
            .WithSummary("Apply migrations (sent, or the target's folder): snapshot, transactional, counted, audited; destructive ones park for approval.")
            .Produces<MigrateResponse>(StatusCodes.Status422UnprocessableEntity)
            .Produces(StatusCodes.Status401Unauthorized);

        var group = api.MapGroup("/migrations/{database}").WithTags("Migrations");
        group.MapGet("/status", (string database, MigrationSources sources, MigrationPlanner planner, CancellationToken ct) =>
                StatusAsync(database, null, sources, planner, ct))
            .RequireAuthorization(RosePolicies.Reader).WithName("MigrationStatusFromFolder").Produces<MigrationStatusResponse>();
        group.MapPost("/status", ([FromRoute] string database, [FromBody] MigrationFilesRequest? body, MigrationSources sources, MigrationPlanner planner, CancellationToken ct) =>
                StatusAsync(database, body?.Migrations, sources, planner, ct))
            .RequireAuthorization(RosePolicies.Reader).WithName("MigrationStatus").Produces<MigrationStatusResponse>();
        group.MapPost("/verify", ([FromRoute] string database, [FromBody] MigrationFilesRequest? body, MigrationSources sources, MigrationPlanner planner, CancellationToken ct) =>
                StatusAsync(database, body?.Migrations, sources, planner, ct))
            .RequireAuthorization(RosePolicies.Reader).WithName("MigrationVerify").WithSummary("Checksums and history consistent: ok=false lists the problems.")
            .Produces<MigrationStatusResponse>();
        group.MapPost("/plan", PlanAsync)
            .RequireAuthorization(RosePolicies.Reader).WithName("MigrationPlan").Produces<MigrationPlanResponse>();
        group.MapPost("/check", CheckAsync)
            .RequireAuthorization(RosePolicies.SqlRunner).WithName("MigrationReversibilityCheck")
            .WithSummary("On a scratch database, apply each pending version (or every version, from_empty), undo it, apply it again, and compare schemas. The target is not changed.")
            .Produces<ReversibilityResponse>()
            .Produces<BadRequestResponse>(StatusCodes.Status400BadRequest);
        group.MapPost("/undo", UndoAsync)
            .RequireAuthorization(RosePolicies.SqlRunner).WithName("MigrationUndo").Produces<MigrateResponse>();
        group.MapGet("/snapshots", (string database, MigrationSnapshots snapshots) =>
                Results.Ok(snapshots.List(database).Select(s => new SnapshotDto(s.Name, s.Bytes, s.CreatedAt)).ToList()))
            .RequireAuthorization(RosePolicies.Reader).WithName("MigrationSnapshots").Produces<List<SnapshotDto>>();
        group.MapPost("/snapshots/{name}/restore", RestoreAsync)
            .RequireAuthorization(RosePolicies.Admin).WithName("MigrationSnapshotRestore")
            .WithSummary("Park a restore of a schema snapshot for approval (admins only; another approver decides).")
            .Produces<ExecuteSqlResponse>(StatusCodes.Status202Accepted);
    }

    private static async Task<IResult> MigrateAsync([FromBody] MigrateRequest? body, HttpContext http, MigrationSources sources,
        MigrationRunner runner, CurrentIdentity identity, CancellationToken ct)
    {
        if (body is null || string.IsNullOrWhiteSpace(body.Database))
        {
            return Bad("The body must be JSON: {\"database\", \"sql\" | \"migrations\": [{\"name\", \"sql\"}], \"reason\", \"dry_run\"?}.");
        }

        if (!string.IsNullOrWhiteSpace(body.Sql) && body.Migrations is { Count: > 0 })
        {
            return Bad("Send either sql or migrations, not both.");
        }

        return await GuardAsync(async () =>
        {
            // Ad-hoc SQL is one repeatable-style migration with a unique description: recorded in the
            // history, applied once, and never mixed into a folder's status.
            var set = !string.IsNullOrWhiteSpace(body.Sql)
                ? MigrationSet.From([($"R__adhoc_{DateTimeOffset.UtcNow.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture)}.sql", body.Sql)])
                : await sources.ResolveAsync(body.Database, MigrationDtos.Files(body.Migrations), ct);
            var request = new MigrationRunRequest(body.Database, set, CurrentIdentity.ToActor(http.User),
                await identity.PolicyForAsync(http.User, ct), body.Reason, body.DryRun ?? false, body.SingleTransaction ?? false);
            var (response, code) = MigrationDtos.Run(await runner.ApplyAsync(request, null, ct));
            return Results.Json(response, statusCode: code);
        });
    }

    private static Task<IResult> StatusAsync(string database, IReadOnlyList<MigrationFileDto>? files, MigrationSources sources,
        MigrationPlanner planner, CancellationToken ct) => GuardAsync(async () =>
        {
            var set = await sources.ResolveAsync(database, MigrationDtos.Files(files), ct);
            return Results.Ok(MigrationDtos.Status(await planner.StatusAsync(database, set, ct)));
        });

    private static Task<IResult> PlanAsync([FromRoute] string database, [FromBody] MigrationFilesRequest? body, HttpContext http,
        MigrationSources sources, MigrationPlanner planner, CurrentIdentity identity, CancellationToken ct) => GuardAsync(async () =>
        {
            var set = await sources.ResolveAsync(database, MigrationDtos.Files(body?.Migrations), ct);
            var plan = await planner.PlanAsync(database, set, await identity.PolicyForAsync(http.User, ct), ct);
            return Results.Ok(MigrationDtos.Plan(plan));
        });

    private static Task<IResult> UndoAsync([FromRoute] string database, [FromBody] UndoRequest? body, HttpContext http,
        MigrationSources sources, MigrationRunner runner, CurrentIdentity identity, CancellationToken ct) => GuardAsync(async () =>
        {
            if (body is null || !MigrationVersion.TryParse(body.ToVersion, out var to))
            {
                return Bad("The body must hold to_version (e.g. \"1.2\"; \"0\" undoes everything).");
            }

            var set = await sources.ResolveAsync(database, MigrationDtos.Files(body.Migrations), ct);
            var request = new MigrationRunRequest(database, set, CurrentIdentity.ToActor(http.User), await identity.PolicyForAsync(http.User, ct), body.Reason);
            var (response, code) = MigrationDtos.Run(await runner.UndoAsync(request, to, null, ct));
            return Results.Json(response, statusCode: code);
        });

    private static Task<IResult> CheckAsync([FromRoute] string database, [FromBody] ReversibilityCheckRequest? body, HttpContext http,
        MigrationSources sources, ReversibilityChecker checker, CurrentIdentity identity, CancellationToken ct) => GuardAsync(async () =>
        {
            var set = await sources.ResolveAsync(database, MigrationDtos.Files(body?.Migrations), ct);
            var request = new ReversibilityRequest(database, set, CurrentIdentity.ToActor(http.User),
                await identity.PolicyForAsync(http.User, ct), body?.Reason, body?.FromEmpty ?? false);
            return Results.Ok(ReversibilityResponse.From(await checker.CheckAsync(request, null, ct)));
        });

    private static Task<IResult> RestoreAsync([FromRoute] string database, [FromRoute] string name, HttpContext http,
        MigrationSources sources, CancellationToken ct) => GuardAsync(async () =>
        {
            var outcome = await sources.RequestRestoreAsync(database, name, CurrentIdentity.ToActor(http.User), ct);
            return SqlEndpoints.ToResult(outcome);
        });

    private static async Task<IResult> GuardAsync(Func<Task<IResult>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception ex) when (ex is MigrationException or ExecutionRequestException)
        {
            return Bad(ex.Message);
        }
        catch (AuditUnavailableException ex)
        {
            return Results.Json(new BadRequestResponse("unavailable", ex.Message), statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    private static IResult Bad(string message) => Results.BadRequest(new BadRequestResponse("bad_request", message));
}
