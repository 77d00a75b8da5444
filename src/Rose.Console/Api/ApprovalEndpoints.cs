namespace Rose.Console.Api;

/// <summary>GET /api/v1/approvals/{id}: an approval request's status and, once run, its result.</summary>
internal static class ApprovalEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/approvals/{id:long}", async (long id, ApprovalStore approvals, CancellationToken ct) =>
        {
            var request = await approvals.GetAsync(id, ct);
            if (request is null)
            {
                return Results.NotFound(new BadRequestResponse("not_found", $"No approval request {id}."));
            }

            var status = request.IsExpired(DateTimeOffset.UtcNow) ? ApprovalStatus.Expired : request.Status;
            return Results.Ok(new
            {
                id = request.Id,
                status,
                database = request.Database,
                requester = request.RequesterId,
                created_at = request.CreatedAt,
                expires_at = request.ExpiresAt,
                operations = request.Operations,
                reasons = request.PolicyReasons,
                decided_by = request.DecidedBy,
                decided_at = request.DecidedAt,
                comment = request.DecisionComment,
                request_audit_id = request.RequestAuditId,
                execution_audit_id = request.ExecutionAuditId,
                result = request.ResultJson is null ? null : System.Text.Json.Nodes.JsonNode.Parse(request.ResultJson),
            });
        }).RequireAuthorization(RosePolicies.Reader).WithName("ApprovalStatus").WithSummary("An approval request's status and, once executed, its result.");
    }
}
