using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc;
using Rose.Core.Plans;
using Rose.Console.Mcp;
using Rose.Core.Advisor;

namespace Rose.Console.Api;

/// <summary>Body of POST /api/v1/advisor/{db}/explain. analyze defaults to true: EXPLAIN (ANALYZE, BUFFERS) through the pipeline.</summary>
public sealed record AdvisorExplainRequest(string? Query, bool? Analyze, string? Reason);

/// <summary>
/// A statement's plan over HTTP and MCP (explain_query). With analyze the statement runs as
/// EXPLAIN (ANALYZE, BUFFERS) under the caller's own policy, so a write is allowed, parked for
/// approval or denied as the write itself would be; without it only the planner is asked.
/// </summary>
internal static class AdvisorPlanEndpoints
{
    public static void Map(RouteGroupBuilder advisor)
    {
        advisor.MapPost("/explain", async (string database, [FromBody] AdvisorExplainRequest? body, HttpContext http, CurrentIdentity identity,
            Rose.Core.Targets.TargetRegistry targets, QueryPlanService plans, CancellationToken ct) =>
        {
            if (body is null || string.IsNullOrWhiteSpace(body.Query))
            {
                return Results.BadRequest(new BadRequestResponse("bad_request",
                    "The body must be JSON with query (one statement): {\"query\": \"...\", \"analyze\": true, \"reason\": \"...\"}."));
            }

            return await AdvisorEndpoints.GuardedAsync(database, http, targets, identity, ct, async name =>
            {
                var executor = CurrentIdentity.ToActor(http.User);
                var channel = AdvisorEndpoints.ChannelOf(http, executor);
                if (body.Analyze == false)
                {
                    var (json, error) = await plans.ExplainAsync(executor, channel, name, body.Query, ct);
                    return json is not null && ExplainPlan.Parse(json) is { } planned
                        ? Results.Ok(PlanDto("planned", planned))
                        : Results.UnprocessableEntity(new JsonObject { ["status"] = "failed", ["error"] = error ?? "The plan could not be read." });
                }

                var policy = await identity.PolicyForAsync(http.User, ct);
                var run = await plans.ExplainAnalyzeAsync(executor, channel, name, body.Query, policy, body.Reason, ct);
                return run.Status switch
                {
                    OutcomeStatus.Succeeded when run.PlanJson is not null && ExplainPlan.Parse(run.PlanJson) is { } measured =>
                        Results.Ok(PlanDto("succeeded", measured, run.AuditId)),
                    OutcomeStatus.PendingApproval => Results.Json(new JsonObject
                    {
                        ["status"] = "pending_approval",
                        ["approval_id"] = run.ApprovalId,
                        ["audit_id"] = run.AuditId,
                        ["reasons"] = Strings(run.Reasons),
                    }, statusCode: StatusCodes.Status202Accepted),
                    OutcomeStatus.Denied => Results.Json(new JsonObject
                    {
                        ["status"] = "denied",
                        ["audit_id"] = run.AuditId,
                        ["reasons"] = Strings(run.Reasons),
                    }, statusCode: StatusCodes.Status403Forbidden),
                    _ => Results.UnprocessableEntity(new JsonObject
                    {
                        ["status"] = run.Status == OutcomeStatus.Cancelled ? "cancelled" : "failed",
                        ["audit_id"] = run.AuditId,
                        ["error"] = run.Error ?? "The plan could not be read.",
                    }),
                };
            });
        }).WithName("AdvisorExplain")
          .WithSummary("EXPLAIN (ANALYZE, BUFFERS) of one statement through the pipeline (the policy decides, as for the statement itself), "
              + "with each node's share of the time, row misestimates and buffers; analyze=false asks the planner only.");
    }

    internal static JsonObject PlanDto(string status, ExplainPlan plan, long? auditId = null)
    {
        var nodes = plan.Flatten();
        return new JsonObject
        {
            ["status"] = status,
            ["audit_id"] = auditId,
            ["analyzed"] = plan.Analyzed,
            ["planning_ms"] = plan.PlanningMs,
            ["execution_ms"] = plan.ExecutionMs,
            ["misestimates"] = nodes.Count(n => n.Misestimate is not null),
            ["nodes"] = new JsonArray([.. nodes.Select(n => (JsonNode)new JsonObject
            {
                ["depth"] = n.Depth,
                ["node"] = n.NodeType,
                ["relation"] = n.Relation,
                ["index"] = n.IndexName,
                ["total_cost"] = n.TotalCost,
                ["plan_rows"] = n.PlanRows,
                ["actual_rows"] = n.ActualRows,
                ["loops"] = n.ActualLoops,
                ["time_ms"] = n.ActualTotalTime,
                ["exclusive"] = Math.Round(n.Exclusive, 3),
                ["share"] = n.Share is { } share ? Math.Round(share, 4) : null,
                ["misestimate"] = n.Misestimate is { } m ? Math.Round(m, 2) : null,
                ["hot"] = n.Hot,
                ["buffers"] = n.Buffers is { } b ? new JsonObject
                {
                    ["shared_hit"] = b.SharedHit,
                    ["shared_read"] = b.SharedRead,
                    ["shared_dirtied"] = b.SharedDirtied,
                    ["shared_written"] = b.SharedWritten,
                    ["temp_read"] = b.TempRead,
                    ["temp_written"] = b.TempWritten,
                } : null,
            })]),
        };
    }

    private static JsonArray Strings(IEnumerable<string> values) => new([.. values.Select(v => (JsonNode?)v)]);
}
