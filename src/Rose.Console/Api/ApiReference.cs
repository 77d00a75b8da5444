using Scalar.AspNetCore;

namespace Rose.Console.Api;

/// <summary>The Scalar API reference at /api/docs over the OpenAPI document, for signed-in users only.</summary>
public static class ApiReference
{
    public const string Route = "/api/docs";

    public static void MapRoseApiReference(this WebApplication app) =>
        app.MapScalarApiReference(Route, o =>
            {
                o.WithTitle("Rose Console API");
                o.WithOpenApiRoutePattern("/openapi/{documentName}.json");
            })
            .RequireAuthorization(RosePolicies.Viewer)
            .ExcludeFromDescription();
}
