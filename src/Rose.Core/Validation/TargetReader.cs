namespace Rose.Core.Validation;

/// <summary>
/// The only way validation reads a target: through <see cref="ExecutionService"/> on the validation
/// channel, under a policy that allows SELECT and nothing else, so every check is classified by the
/// real parser, audited, and bounded by the target's statement and lock timeouts.
/// </summary>
public sealed class TargetReader(ExecutionService execution)
{
    /// <summary>Allows plain reads of one database; catalog reads are SELECTs too.</summary>
    public static SqlPolicy ReadOnlyPolicy(string database) => new()
    {
        AllowedDatabases = [database],
        AllowedOperations = ["SELECT"],
        RequiresApproval = [],
        Environment = "dev",
    };

    /// <summary>Runs a read batch; a denial or a database error comes back as <see cref="ReadOutcome.Error"/>.</summary>
    public async Task<ReadOutcome> ReadAsync(Actor executor, string database, string sql, string reason, CancellationToken ct, int? maxRows = null)
    {
        ExecutionOutcome outcome;
        try
        {
            outcome = await execution.ExecuteAsync(
                new ExecutionRequest(executor, Channel.Validation, database, sql, reason, ReadOnlyPolicy(database), maxRows), null, ct);
        }
        catch (ExecutionRequestException ex)
        {
            return new ReadOutcome([], ex.Message, 0, 0);
        }

        return outcome.Status switch
        {
            OutcomeStatus.Succeeded => new ReadOutcome(outcome.Result!.Statements, null, outcome.AuditId, outcome.Result.DurationMs),
            OutcomeStatus.Denied => new ReadOutcome([], "denied: " + string.Join("; ", outcome.Reasons), outcome.AuditId, 0),
            OutcomeStatus.PendingApproval => new ReadOutcome([], "the read was parked for approval, which validation never waits for", outcome.AuditId, 0),
            OutcomeStatus.Cancelled => new ReadOutcome([], "cancelled (timeout or shutdown)", outcome.AuditId, outcome.Result?.DurationMs ?? 0),
            _ => new ReadOutcome(outcome.Result?.Statements ?? [],
                outcome.Result?.Error is { } e ? $"{e.SqlState}: {e.Message}" : "failed", outcome.AuditId, outcome.Result?.DurationMs ?? 0),
        };
    }
}

/// <summary>What a read batch gave back; Error is set when it did not succeed as a whole.</summary>
public sealed record ReadOutcome(IReadOnlyList<StatementResult> Statements, string? Error, long AuditId, double DurationMs)
{
    public bool Succeeded => Error is null;
}
