using Microsoft.AspNetCore.Mvc;
using Rose.Core.Sql;
using Rose.Core.Validation;
using Rose.Core.Validation.Checks;
using Rose.Core.Validation.Storage;

namespace Rose.Console.Api;

/// <summary>Body of POST /api/v1/validation/checks: a check a person chooses (custom SQL, a soft FK, a unique key...).</summary>
public sealed record ValidationCheckRequest(string? Database, CheckDefinition? Check);

/// <summary>
/// GET and POST /api/v1/validation/checks: the checks a user defines beside the suggested ones —
/// custom SQL assertions (only a single pure read is accepted), soft foreign keys, chosen unique
/// keys, accepted values, freshness and row-count baselines.
/// </summary>
internal static class ValidationCheckEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/validation/checks", async (ValidationCheckStore checks, TargetRegistry targets, string? database, CancellationToken ct) =>
        {
            if (string.IsNullOrWhiteSpace(database) || !targets.TryGet(database, out _))
            {
                return Results.BadRequest(new BadRequestResponse("bad_request", "database must name a target."));
            }

            var list = await checks.ListAsync(database, enabledOnly: false, ct);
            return Results.Ok(new
            {
                checks = list.Select(c => new { id = c.Id, key = c.Key, enabled = c.Enabled, created_at = c.CreatedAt, created_by = c.CreatedBy, definition = c.Definition }),
            });
        }).RequireAuthorization(RosePolicies.Reader).WithName("ValidationChecks").WithSummary("The stored checks of a database.");

        api.MapPost("/validation/checks", CreateAsync)
            .RequireAuthorization(RosePolicies.Operator)
            .WithName("ValidationCheckCreate")
            .WithSummary("Add a check (custom SQL assertion, soft FK, unique key, accepted values, freshness, row count).");
    }

    private static async Task<IResult> CreateAsync([FromBody] ValidationCheckRequest? body, HttpContext http, ValidationCheckStore checks,
        TargetRegistry targets, ISqlClassifier classifier, CancellationToken ct)
    {
        if (body?.Check is not { } check || string.IsNullOrWhiteSpace(body.Database))
        {
            return Bad("The body must be JSON: {\"database\": \"name\", \"check\": {\"kind\": ..., \"table\": ...}}.");
        }

        if (!targets.TryGet(body.Database, out var target))
        {
            return Results.NotFound(new BadRequestResponse("not_found", $"There is no target database named '{body.Database}'."));
        }

        var problem = Problem(check, classifier);
        if (problem is not null)
        {
            return Bad(problem);
        }

        var id = await checks.UpsertAsync(target.Definition.Name, check, CurrentIdentity.ToActor(http.User).Id, ct);
        return Results.Created($"/api/v1/validation/checks?database={Uri.EscapeDataString(target.Definition.Name)}", new { id, key = check.Key });
    }

    /// <summary>What is wrong with a check definition, naming the field; null when it is usable.</summary>
    internal static string? Problem(CheckDefinition check, ISqlClassifier classifier)
    {
        if (!DataCheckKinds.Exists(check.Kind))
        {
            return $"check.kind '{check.Kind}' is not one of {string.Join(", ", DataCheckKinds.All.Select(k => k.Kind))}.";
        }

        if (string.IsNullOrWhiteSpace(check.Table))
        {
            return "check.table is required.";
        }

        return check.Kind switch
        {
            CheckKinds.CustomSql => CustomSqlCheck.Refusal(classifier, check.Sql) is { } why ? "check.sql: " + why : null,
            CheckKinds.NotNull or CheckKinds.Duplicates or CheckKinds.AcceptedValues or CheckKinds.Freshness when check.Columns.Count == 0 =>
                $"check.columns must name at least one column for {check.Kind}.",
            CheckKinds.AcceptedValues when check.Values.Count == 0 => "check.values must list the accepted values.",
            CheckKinds.Orphans when check.Columns.Count == 0 || string.IsNullOrWhiteSpace(check.RefTable) || check.RefColumns.Count != check.Columns.Count =>
                "orphans needs check.columns, check.ref_table and as many check.ref_columns as columns.",
            CheckKinds.Freshness when check.MaxAgeMinutes is not > 0 => "check.max_age_minutes must be a positive number.",
            _ => null,
        };
    }

    private static IResult Bad(string message) => Results.BadRequest(new BadRequestResponse("bad_request", message));
}
