namespace Rose.Console.Api;

/// <summary>
/// The one check of "may this caller name this target" for endpoints that take a database by name:
/// an unknown database is 404, an agent outside its own policy's databases is 403. People are held
/// to their policy later, by the pipeline, per statement.
/// </summary>
internal static class TargetAccess
{
    /// <summary>The target's configured name, or the refusal to answer with (Name null).</summary>
    internal static async Task<(string? Name, IResult? Refusal)> CheckAsync(string database, HttpContext http, TargetRegistry targets,
        CurrentIdentity identity, CancellationToken ct)
    {
        if (!targets.TryGet(database, out var target))
        {
            return (null, Results.NotFound(new BadRequestResponse("not_found", $"There is no target database named '{database}'.")));
        }

        var name = target.Definition.Name;
        if (CurrentIdentity.IsAgent(http.User))
        {
            var policy = await identity.PolicyForAsync(http.User, ct);
            if (!policy.AllowedDatabases.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                return (null, Results.Json(new { status = "denied", reasons = new[] { $"the agent's policy does not allow database '{name}'" } },
                    statusCode: StatusCodes.Status403Forbidden));
            }
        }

        return (name, null);
    }
}
