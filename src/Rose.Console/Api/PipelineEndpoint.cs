namespace Rose.Console.Api;

/// <summary>
/// Endpoints that put SQL through the pipeline (run, migrate, roll back a change) are all for SQL
/// runners and answer with one response type whatever the policy decides: 200 ran, 202 parked for
/// approval, 403 denied, plus 400 for a body that cannot be read. Declared once so each such
/// endpoint's authorization and OpenAPI answers stay the same.
/// </summary>
internal static class PipelineEndpoint
{
    public static RouteHandlerBuilder RunsThroughPipeline<TResponse>(this RouteHandlerBuilder endpoint) =>
        endpoint
            .RequireAuthorization(RosePolicies.SqlRunner)
            .Produces<TResponse>(StatusCodes.Status200OK)
            .Produces<TResponse>(StatusCodes.Status202Accepted)
            .Produces<TResponse>(StatusCodes.Status403Forbidden)
            .Produces<BadRequestResponse>(StatusCodes.Status400BadRequest);
}
