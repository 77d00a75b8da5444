using Rose.Console.Mcp;
using Rose.Core.Control;

namespace Rose.Console.Api;

public static class RoseApiExtensions
{
    public static IServiceCollection AddRoseApi(this IServiceCollection services)
    {
        services.AddOpenApi("v1", o => o.AddDocumentTransformer<ProblemDocumentTransformer>());
        services.AddRoseApiErrors();
        services.AddRoseMcp();
        // Agents send SQL in JSON; keep bodies bounded (the SQL limit itself is Rose:Execution:MaxSqlLength).
        services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(o => o.Limits.MaxRequestBodySize = 4 * 1024 * 1024);
        return services;
    }

    public static WebApplication MapRoseApi(this WebApplication app)
    {
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        app.MapRoseApiReference();
        app.MapRoseErrorEndpoint();
        var api = app.MapGroup("/api/v1")
            .RequireRateLimiting(RoseAuthExtensions.RateLimitPolicy)
            .DisableAntiforgery()
            .WithProblemDetails();
        SqlEndpoints.Map(api);
        LogEndpoints.Map(api);
        ApprovalEndpoints.Map(api);
        MigrationEndpoints.Map(api);
        DevlogEndpoints.Map(api);
        AuditEndpoints.MapApi(api);
        AuditEndpoints.MapExport(app);
        ValidationEndpoints.Map(api);
        ValidationCheckEndpoints.Map(api);
        AdvisorEndpoints.Map(api);
        UndoEndpoints.Map(api);
        DriftEndpoints.Map(api);
        SnapshotEndpoints.Map(api);
        Mcp.McpRelayEndpoint.Map(api);
        app.MapRoseMcp();
        return app;
    }

    public static WebApplication MapRoseHealth(this WebApplication app)
    {
        app.MapGet("/healthz", () => Results.Ok(new { status = "ok" })).AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/readyz", async (ControlDatabase control, ControlSchemaMigrator migrator, CancellationToken ct) =>
        {
            try
            {
                var current = await migrator.IsCurrentAsync(control.DataSource, ct);
                return current
                    ? Results.Ok(new { status = "ready" })
                    : Results.Json(new { status = "not_ready", error = "the control schema is not at the current version" }, statusCode: 503);
            }
            catch (Exception ex) when (ex is Rose.Core.Errors.DatabaseException or TimeoutException)
            {
                return Results.Json(new { status = "not_ready", error = "the control database is unreachable" }, statusCode: 503);
            }
        }).AllowAnonymous().ExcludeFromDescription();
        return app;
    }
}
