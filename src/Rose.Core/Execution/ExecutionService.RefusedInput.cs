namespace Rose.Core.Execution;

/// <summary>Input PostgreSQL cannot take (see <see cref="RefusedCharacters"/>): refused, and still audited.</summary>
public sealed partial class ExecutionService
{
    /// <summary>
    /// Throws <see cref="ExecutionRequestException"/> naming the first refused character of the
    /// database, sql or reason, after writing the attempt (stored escaped) and a denied outcome, so
    /// the audit log shows the attempt even though nothing was classified or run.
    /// </summary>
    private async Task RefuseBadCharactersAsync(ExecutionRequest request, CancellationToken ct)
    {
        var problem = RefusedCharacters.Describe("database", request.Database)
            ?? RefusedCharacters.Describe("sql", request.Sql)
            ?? RefusedCharacters.Describe("reason", request.Reason);
        if (problem is null)
        {
            return;
        }

        var auditId = await RecordRefusedInputAsync(request.Executor, request.Channel, request.Database, request.Reason, request.Sql, problem, ct);
        throw new ExecutionRequestException($"{problem} The attempt is audit #{auditId}.") { AuditId = auditId };
    }

    /// <summary>
    /// Audits input refused before classification: database, reason and sql are stored in
    /// <see cref="RefusedCharacters.Escape"/>d form, the decision is deny with the given reason, and
    /// the outcome is written at once. Shared by every channel that takes SQL (the migration runner too).
    /// </summary>
    public async Task<long> RecordRefusedInputAsync(Actor executor, Channel channel, string database, string? reason, string sql,
        string problem, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(executor);
        ArgumentException.ThrowIfNullOrWhiteSpace(problem);
        var auditId = await runs.RecordAsync(new AuditAttempt(executor, channel, RefusedCharacters.Escape(database) ?? string.Empty,
            RefusedCharacters.Escape(reason), RefusedCharacters.Escape(sql) ?? string.Empty, [], Decision.Deny,
            [problem, "the text is stored escaped: each refused character as \\uXXXX, each backslash as \\\\"]), new AuditOutcome(AuditStatus.Denied), ct);
        logger.LogInformation("Audit {AuditId}: input refused before classification ({Channel})", auditId, channel);
        return auditId;
    }
}
