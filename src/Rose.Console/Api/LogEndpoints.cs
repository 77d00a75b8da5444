namespace Rose.Console.Api;

/// <summary>GET /api/v1/sql/logs: the audit log over HTTP.</summary>
internal static class LogEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/sql/logs", async (AuditReader reader, int? limit, long? before, string? database, string? executor,
            string? status, string? q, string? executor_kind, string? channel, string? operation, string? decision,
            DateTimeOffset? from, DateTimeOffset? to, CancellationToken ct) =>
        {
            if (limit is < 1 or > 1000)
            {
                return Results.BadRequest(new BadRequestResponse("bad_request", "limit must be between 1 and 1000."));
            }

            var entries = await reader.QueryAsync(new AuditFilter
            {
                Limit = limit ?? 50,
                Before = before,
                Database = database,
                Executor = executor,
                Status = status,
                Text = q,
                ExecutorKind = executor_kind,
                Channel = channel,
                Operation = operation,
                Decision = decision,
                From = from,
                To = to,
            }, ct);
            return Results.Ok(new
            {
                entries = entries.Select(e => new
                {
                    id = e.Id,
                    occurred_at = e.OccurredAt,
                    executor = e.ExecutorId,
                    executor_name = e.ExecutorName,
                    executor_kind = e.ExecutorKind,
                    channel = e.Channel,
                    database = e.Database,
                    reason = e.Reason,
                    sql = e.Sql,
                    sql_length = e.SqlLength,
                    operations = e.Operations,
                    decision = e.Decision,
                    decision_reasons = e.DecisionReasons,
                    status = e.Status,
                    rows_affected = e.RowsAffected,
                    duration_ms = e.DurationMs,
                    error_sqlstate = e.ErrorSqlState,
                    error = e.ErrorMessage,
                    approval_id = e.ApprovalId,
                    approved_by = e.ApprovedBy,
                }),
                next_before = entries.Count > 0 ? entries[^1].Id : (long?)null,
            });
        }).RequireAuthorization(RosePolicies.Reader).WithName("SqlLogs").WithSummary("Audit entries, newest first, keyset paged by id.");
    }
}
