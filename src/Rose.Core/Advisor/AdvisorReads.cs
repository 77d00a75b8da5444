using Rose.Core.Validation;

namespace Rose.Core.Advisor;

/// <summary>
/// How the advisor reaches a target, and nothing else: catalog reads go through validation's
/// <see cref="TargetReader"/> (SELECT only, audited); what-if planning goes through the same
/// <see cref="ExecutionService"/> under a policy that allows SELECT and plain EXPLAIN only, so a
/// statement under analysis is planned, never run.
/// </summary>
public sealed class AdvisorReads(TargetReader reader, ExecutionService execution)
{
    /// <summary>SELECT plus EXPLAIN without ANALYZE: the parser classifies EXPLAIN ANALYZE of a write as that write, which this denies.</summary>
    public static SqlPolicy PlanPolicy(string database) => new()
    {
        AllowedDatabases = [database],
        AllowedOperations = ["SELECT", "EXPLAIN"],
        RequiresApproval = [],
        Environment = "dev",
    };

    public Task<ReadOutcome> ReadAsync(Actor executor, string database, string sql, string reason, CancellationToken ct) =>
        reader.ReadAsync(executor, database, sql, reason, ct, maxRows: 1000);

    /// <summary>Runs a planning batch (hypopg calls and EXPLAINs) on the caller's channel; errors come back in the outcome.</summary>
    public async Task<ReadOutcome> PlanAsync(Actor executor, Channel channel, string database, string sql, string reason, CancellationToken ct)
    {
        ExecutionOutcome outcome;
        try
        {
            outcome = await execution.ExecuteAsync(new ExecutionRequest(executor, channel, database, sql, reason, PlanPolicy(database), 1000), null, ct);
        }
        catch (ExecutionRequestException ex)
        {
            return new ReadOutcome([], ex.Message, 0, 0);
        }

        return outcome.Status switch
        {
            OutcomeStatus.Succeeded => new ReadOutcome(outcome.Result!.Statements, null, outcome.AuditId, outcome.Result.DurationMs),
            OutcomeStatus.Denied => new ReadOutcome([], "denied: " + string.Join("; ", outcome.Reasons), outcome.AuditId, 0),
            _ => new ReadOutcome([], outcome.Result?.Error is { } e ? $"{e.SqlState}: {e.Message}" : outcome.Status.ToString().ToLowerInvariant(),
                outcome.AuditId, 0),
        };
    }

    internal static string? Cell(StatementResult result, int row, string column)
    {
        for (var i = 0; i < result.Columns.Count; i++)
        {
            if (result.Columns[i].Name == column)
            {
                return result.Rows[row][i];
            }
        }

        throw new InvalidOperationException($"The advisor's own query has no column '{column}'.");
    }

    internal static double Number(string? text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : 0;

    internal static long Integer(string? text) =>
        long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : 0;
}
