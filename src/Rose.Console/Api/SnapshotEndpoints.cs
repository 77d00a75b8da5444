using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Mvc;

namespace Rose.Console.Api;

/// <summary>One table of a data snapshot: its rows and checksum when the snapshot was taken.</summary>
public sealed record SnapshotTableDto(
    [property: JsonPropertyName("table")] string Table,
    [property: JsonPropertyName("rows")] long Rows,
    [property: JsonPropertyName("checksum")] string Checksum);

public sealed record DataSnapshotDto(
    [property: JsonPropertyName("database")] string Database,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("bytes")] long Bytes,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("server_version")] string ServerVersion,
    [property: JsonPropertyName("pg_dump_version")] string DumpVersion,
    [property: JsonPropertyName("rows")] long Rows,
    [property: JsonPropertyName("tables")] IReadOnlyList<SnapshotTableDto> Tables,
    [property: JsonPropertyName("audit_id")] long AuditId,
    [property: JsonPropertyName("contents")] string Contents,
    [property: JsonPropertyName("chosen_tables")] IReadOnlyList<string>? ChosenTables,
    [property: JsonPropertyName("age_seconds")] long AgeSeconds)
{
    /// <summary>contents: "database" (the whole database) or "tables" (only <c>chosen_tables</c>).</summary>
    public static DataSnapshotDto From(DataSnapshot s) => new(s.Database, s.Name, s.Bytes, s.CreatedAt, s.ServerVersion, s.DumpVersion, s.Rows,
        [.. s.Tables.Select(t => new SnapshotTableDto(t.QualifiedName, t.Rows, t.Checksum))], s.AuditId,
        s.IsPartial ? "tables" : "database", s.ChosenTables, (long)Math.Max(0, (DateTimeOffset.UtcNow - s.CreatedAt).TotalSeconds));
}

/// <summary>{"reason", "tables"?}: why the snapshot is taken (recorded on its audit row), and the tables to take (default: the whole database).</summary>
public sealed record TakeSnapshotRequest(
    [property: JsonPropertyName("reason")] string? Reason,
    [property: JsonPropertyName("tables")] IReadOnlyList<string>? Tables = null);

/// <summary>{"reason", "new_database"?}: why, and the new database to restore into (default &lt;database&gt;_restore_&lt;time&gt;).</summary>
public sealed record RestoreSnapshotRequest(
    [property: JsonPropertyName("new_database")] string? NewDatabase,
    [property: JsonPropertyName("reason")] string? Reason);

public sealed record SnapshotMismatchDto(
    [property: JsonPropertyName("table")] string Table,
    [property: JsonPropertyName("expected_rows")] long? ExpectedRows,
    [property: JsonPropertyName("actual_rows")] long? ActualRows,
    [property: JsonPropertyName("reason")] string Reason);

/// <summary>The restore's answer: verified = every table's checksum in the new database equals the snapshot's.</summary>
public sealed record RestoreSnapshotResponse(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("snapshot")] string Snapshot,
    [property: JsonPropertyName("restored_database")] string RestoredDatabase,
    [property: JsonPropertyName("verified")] bool Verified,
    [property: JsonPropertyName("tables")] int Tables,
    [property: JsonPropertyName("rows")] long Rows,
    [property: JsonPropertyName("mismatches")] IReadOnlyList<SnapshotMismatchDto> Mismatches,
    [property: JsonPropertyName("audit_id")] long AuditId);

/// <summary>{"reason"}: why the live database is to be put back to the snapshot (the approver reads it).</summary>
public sealed record RestoreInPlaceRequest([property: JsonPropertyName("reason")] string? Reason);

/// <summary>202: the restore in place is parked; it runs only when an approver approves <c>approval_id</c>.</summary>
public sealed record RestoreInPlaceResponse(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("database")] string Database,
    [property: JsonPropertyName("snapshot")] string Snapshot,
    [property: JsonPropertyName("approval_id")] long ApprovalId,
    [property: JsonPropertyName("audit_id")] long AuditId);

/// <summary>403: the caller's policy does not allow reading the target outright.</summary>
public sealed record SnapshotDeniedResponse(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("reasons")] IReadOnlyList<string> Reasons);

/// <summary>
/// /api/v1/migrations/{database}/data-snapshots: data snapshots (pg_dump -Fc with per-table checksums)
/// and their restore into a new database, verified by those checksums. Thin: every rule is in Core.
/// </summary>
internal static class SnapshotEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        const string path = "/migrations/{database}/data-snapshots";
        api.MapGet(path, ([FromRoute] string database, DataSnapshots snapshots) =>
                GuardAsync(() => Task.FromResult(Results.Ok(snapshots.List(database).Select(DataSnapshotDto.From).ToList()))))
            .RequireAuthorization(RosePolicies.Reader).WithName("DataSnapshots").WithTags("Snapshots")
            .WithSummary("The target's data snapshots, newest first, with size, tables, rows and checksums.")
            .Produces<List<DataSnapshotDto>>()
            .Produces<BadRequestResponse>(StatusCodes.Status400BadRequest);
        api.MapGet(path + "/jobs", ([FromRoute] string database, DataSnapshots snapshots) =>
                GuardAsync(() => Task.FromResult(Results.Ok(snapshots.Jobs(database).Select(j => new
                {
                    id = j.Id,
                    kind = j.Kind,
                    snapshot = j.Snapshot,
                    state = j.State,
                    tables_done = j.TablesDone,
                    tables_total = j.TablesTotal,
                    current_table = j.CurrentTable,
                    started_at = j.StartedAt,
                    finished_at = j.FinishedAt,
                    error = j.Error,
                }).ToList()))))
            .RequireAuthorization(RosePolicies.Reader).WithName("DataSnapshotJobs").WithTags("Snapshots")
            .WithSummary("This console instance's snapshot and restore runs of the target, running and recently finished, with tables done of tables total (from pg_dump/pg_restore --verbose).")
            .Produces<BadRequestResponse>(StatusCodes.Status400BadRequest);
        api.MapPost(path, TakeAsync)
            .RequireAuthorization(RosePolicies.SqlRunner).WithName("DataSnapshotTake").WithTags("Snapshots")
            .WithSummary("pg_dump --format=custom of the whole target, or of the chosen tables (schema and data), with per-table checksums read in the same database snapshot.")
            .Produces<DataSnapshotDto>(StatusCodes.Status201Created)
            .Produces<SnapshotDeniedResponse>(StatusCodes.Status403Forbidden)
            .Produces<BadRequestResponse>(StatusCodes.Status400BadRequest);
        api.MapPost(path + "/{name}/restore", RestoreAsync)
            .RequireAuthorization(RosePolicies.Admin).WithName("DataSnapshotRestore").WithTags("Snapshots")
            .WithSummary("Restore a data snapshot into a NEW database on the target's server (never over the live one) and verify it by per-table checksums: 200 verified, 422 differs.")
            .Produces<RestoreSnapshotResponse>()
            .Produces<RestoreSnapshotResponse>(StatusCodes.Status422UnprocessableEntity)
            .Produces<SnapshotDeniedResponse>(StatusCodes.Status403Forbidden)
            .Produces<BadRequestResponse>(StatusCodes.Status400BadRequest);
        api.MapPost(path + "/{name}/restore-in-place", RestoreInPlaceAsync)
            .RequireAuthorization(RosePolicies.Admin).WithName("DataSnapshotRestoreInPlace").WithTags("Snapshots")
            .WithSummary("Put the LIVE database back to a data snapshot: always parked for approval (202); once approved, pg_restore --clean --if-exists --single-transaction runs and the snapshot's checksums are compared (GET /api/v1/approvals/{approval_id}).")
            .Produces<RestoreInPlaceResponse>(StatusCodes.Status202Accepted)
            .Produces<SnapshotDeniedResponse>(StatusCodes.Status403Forbidden)
            .Produces<BadRequestResponse>(StatusCodes.Status400BadRequest);
    }

    private static Task<IResult> RestoreInPlaceAsync([FromRoute] string database, [FromRoute] string name, [FromBody] RestoreInPlaceRequest? body,
        HttpContext http, DataSnapshots snapshots, CurrentIdentity identity, CancellationToken ct) => GuardAsync(async () =>
        {
            if (string.IsNullOrWhiteSpace(body?.Reason))
            {
                return Bad("The body must be JSON: {\"reason\"}, saying why the live database is to be restored (the approver reads it).");
            }

            var executor = CurrentIdentity.ToActor(http.User);
            var parked = await snapshots.RequestRestoreInPlaceAsync(database, name, executor, SqlEndpoints.ChannelFor(viaMcp: false, executor),
                await identity.PolicyForAsync(http.User, ct), body.Reason, ct);
            return Results.Json(new RestoreInPlaceResponse("pending_approval", parked.Database, parked.Snapshot, parked.ApprovalId, parked.AuditId),
                statusCode: StatusCodes.Status202Accepted);
        });

    private static Task<IResult> TakeAsync([FromRoute] string database, [FromBody] TakeSnapshotRequest? body, HttpContext http,
        DataSnapshots snapshots, CurrentIdentity identity, CancellationToken ct) => GuardAsync(async () =>
        {
            if (string.IsNullOrWhiteSpace(body?.Reason))
            {
                return Bad("The body must be JSON: {\"reason\", \"tables\"?}, saying why the snapshot is taken (and which tables; none = the whole database).");
            }

            var executor = CurrentIdentity.ToActor(http.User);
            var snapshot = await snapshots.TakeAsync(database, executor, SqlEndpoints.ChannelFor(viaMcp: false, executor),
                await identity.PolicyForAsync(http.User, ct), body?.Reason, body?.Tables, ct);
            return Results.Json(DataSnapshotDto.From(snapshot), statusCode: StatusCodes.Status201Created);
        });

    private static Task<IResult> RestoreAsync([FromRoute] string database, [FromRoute] string name, [FromBody] RestoreSnapshotRequest? body,
        HttpContext http, DataSnapshots snapshots, CurrentIdentity identity, CancellationToken ct) => GuardAsync(async () =>
        {
            if (string.IsNullOrWhiteSpace(body?.Reason))
            {
                return Bad("The body must be JSON: {\"reason\", \"new_database\"?}, saying why the snapshot is restored.");
            }

            var executor = CurrentIdentity.ToActor(http.User);
            var r = await snapshots.RestoreAsync(database, name, body?.NewDatabase, executor, SqlEndpoints.ChannelFor(viaMcp: false, executor),
                await identity.PolicyForAsync(http.User, ct), body?.Reason, ct);
            var response = new RestoreSnapshotResponse(r.Verified ? "verified" : "differs", r.Snapshot, r.RestoredDatabase, r.Verified, r.Tables, r.Rows,
                [.. r.Mismatches.Select(m => new SnapshotMismatchDto(m.Table, m.ExpectedRows, m.ActualRows, m.Reason))], r.AuditId);
            return Results.Json(response, statusCode: r.Verified ? StatusCodes.Status200OK : StatusCodes.Status422UnprocessableEntity);
        });

    private static async Task<IResult> GuardAsync(Func<Task<IResult>> action)
    {
        try
        {
            return await action();
        }
        catch (DataSnapshotDeniedException ex)
        {
            return Results.Json(new SnapshotDeniedResponse("denied", ex.Reasons), statusCode: StatusCodes.Status403Forbidden);
        }
        catch (DataSnapshotException ex)
        {
            return Bad(ex.Message);
        }
        catch (Exception ex) when (ex is AuditUnavailableException or Rose.Core.Errors.DatabaseException)
        {
            return Results.Json(new BadRequestResponse("unavailable", ex.Message), statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    private static IResult Bad(string message) => Results.BadRequest(new BadRequestResponse("bad_request", message));
}
