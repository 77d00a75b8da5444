using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;
using Rose.Console.Mcp;
using Rose.Core.Advisor;

namespace Rose.Console.Api;

/// <summary>Body of POST /api/v1/advisor/{db}/indexes: either queries, or workload with an optional top.</summary>
public sealed record AdvisorIndexesRequest(List<string?>? Queries, bool? Workload, int? Top);

/// <summary>
/// The performance advisor over HTTP. Every answer reads the target through the audited pipeline,
/// so the routes take the same authorization as a validation run (operators and agents; an agent
/// only on databases its policy names).
/// </summary>
internal static class AdvisorEndpoints
{
    private const int DefaultTop = 20;
    private const int MaxWorkloadTop = 100;

    public static void Map(RouteGroupBuilder api)
    {
        var advisor = api.MapGroup("/advisor/{database}").RequireAuthorization(RosePolicies.SqlRunner);

        advisor.MapGet("/queries", async (string database, int? top, HttpContext http, TargetRegistry targets, CurrentIdentity identity,
            SlowQueryService service, CancellationToken ct) =>
        {
            if (top is < 1 or > SlowQueryService.MaxTop)
            {
                return Bad($"top must be between 1 and {SlowQueryService.MaxTop}.");
            }

            return await GuardedAsync(database, http, targets, identity, ct, async name =>
            {
                var report = await service.TopAsync(CurrentIdentity.ToActor(http.User), name, top ?? DefaultTop, ct);
                return Results.Ok(new JsonObject
                {
                    ["database"] = report.Database,
                    ["unavailable"] = report.Unavailable,
                    ["note"] = report.Note,
                    ["queries"] = new JsonArray([.. report.Queries.Select(q => (JsonNode)new JsonObject
                    {
                        ["queryid"] = q.QueryId,
                        ["query"] = q.Query,
                        ["calls"] = q.Calls,
                        ["total_ms"] = Math.Round(q.TotalMs, 3),
                        ["mean_ms"] = Math.Round(q.MeanMs, 3),
                        ["rows"] = q.Rows,
                    })]),
                });
            });
        }).WithName("AdvisorQueries").WithSummary("Top statements by total execution time, from pg_stat_statements.");

        advisor.MapPost("/indexes", async (string database, [FromBody] AdvisorIndexesRequest? body, HttpContext http, TargetRegistry targets,
            CurrentIdentity identity, IndexAdvisor service, CancellationToken ct) =>
        {
            if (BodyError(body) is { } error)
            {
                return Bad(error);
            }

            return await GuardedAsync(database, http, targets, identity, ct, async name =>
            {
                var executor = CurrentIdentity.ToActor(http.User);
                var channel = ChannelOf(http, executor);
                var advice = body!.Workload == true
                    ? await service.ForWorkloadAsync(executor, channel, name, body.Top ?? 10, ct)
                    : await service.ForQueriesAsync(executor, channel, name, [.. body.Queries!.Select(q => q!)], ct);
                return Results.Ok(IndexAdviceDto(advice));
            });
        }).WithName("AdvisorIndexes").WithSummary("Index recommendations for statements or the top workload, costed with hypopg.");

        advisor.MapGet("/health", async (string database, HttpContext http, TargetRegistry targets, CurrentIdentity identity,
            HealthCheckService service, CancellationToken ct) =>
            await GuardedAsync(database, http, targets, identity, ct, async name =>
            {
                var report = await service.CheckAsync(CurrentIdentity.ToActor(http.User), name, ct);
                return Results.Ok(new JsonObject
                {
                    ["database"] = report.Database,
                    ["checks"] = new JsonArray([.. report.Checks.Select(c => (JsonNode)new JsonObject
                    {
                        ["name"] = c.Name,
                        ["status"] = c.Status,
                        ["detail"] = c.Detail,
                        ["threshold"] = c.Threshold,
                        ["evidence"] = new JsonArray([.. c.Evidence.Select(e => (JsonNode?)e)]),
                        ["remediation_sql"] = c.RemediationSql,
                    })]),
                });
            })).WithName("AdvisorHealth").WithSummary("Health checks of a database, each with threshold, evidence and remediation SQL.");

        AdvisorPlanEndpoints.Map(advisor);
    }

    /// <summary>The first problem with an index request, naming the field, or null.</summary>
    private static string? BodyError(AdvisorIndexesRequest? body)
    {
        if (body is null)
        {
            return "The body must be JSON: {\"queries\": [\"...\"]} or {\"workload\": true, \"top\": N}.";
        }

        if (body.Workload == true)
        {
            if (body.Queries is not null)
            {
                return "queries and workload cannot both be given; send one.";
            }

            return body.Top is < 1 or > MaxWorkloadTop ? $"top must be between 1 and {MaxWorkloadTop}." : null;
        }

        if (body.Queries is null || body.Queries.Count == 0)
        {
            return "queries is required (a non-empty array of SQL statements), or send {\"workload\": true}.";
        }

        if (body.Queries.Count > IndexAdvisor.MaxQueries)
        {
            return $"queries holds {body.Queries.Count} statements; the limit is {IndexAdvisor.MaxQueries}.";
        }

        var blank = body.Queries.FindIndex(string.IsNullOrWhiteSpace);
        return blank >= 0 ? $"queries[{blank}] is empty." : null;
    }

    /// <summary>
    /// mcp when the console's own MCP server made the call for an agent (it sets a request item a
    /// client cannot), else api: the channel is the server's decision, never a header's word.
    /// </summary>
    internal static Channel ChannelOf(HttpContext http, Actor executor) =>
        SqlEndpoints.ChannelFor(InProcessApiBackend.IsMcpCall(http), executor);

    /// <summary>Unknown database → 404; an agent outside its policy's databases → 403; otherwise runs.</summary>
    internal static async Task<IResult> GuardedAsync(string database, HttpContext http, TargetRegistry targets, CurrentIdentity identity,
        CancellationToken ct, Func<string, Task<IResult>> run)
    {
        var (name, refusal) = await TargetAccess.CheckAsync(database, http, targets, identity, ct);
        if (name is null)
        {
            return refusal!;
        }

        try
        {
            return await run(name);
        }
        catch (AdvisorRequestException ex)
        {
            return Bad(ex.Message);
        }
        catch (AuditUnavailableException ex)
        {
            return Results.Json(new BadRequestResponse("unavailable", ex.Message), statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    private static IResult Bad(string message) => Results.BadRequest(new BadRequestResponse("bad_request", message));

    internal static JsonObject IndexAdviceDto(IndexAdvice advice) => new()
    {
        ["database"] = advice.Database,
        ["hypopg"] = advice.HypopgAvailable,
        ["notes"] = new JsonArray([.. advice.Notes.Select(n => (JsonNode?)n)]),
        ["recommendations"] = new JsonArray([.. advice.Recommendations.Select(r => (JsonNode)new JsonObject
        {
            ["schema"] = r.Schema,
            ["table"] = r.Table,
            ["columns"] = new JsonArray([.. r.Columns.Select(c => (JsonNode?)c)]),
            ["index_name"] = r.IndexName,
            ["create_index_sql"] = r.CreateIndexSql,
            ["estimated_speedup"] = r.EstimatedSpeedup,
            ["size_bytes"] = r.SizeBytes,
            ["queries"] = new JsonArray([.. r.Queries.Select(q => (JsonNode?)q)]),
            ["proven"] = r.Proven,
            ["write_overhead"] = r.WriteOverhead,
        })]),
    };
}
