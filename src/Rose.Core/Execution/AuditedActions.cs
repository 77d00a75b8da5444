namespace Rose.Core.Execution;

/// <summary>
/// The audited-run bracket (<see cref="AuditedRuns"/>: attempt first, fail closed, outcome always) for
/// hosts' audited work that is not SQL on a target, such as an /mcp tool call around the in-process route
/// it runs. Hosts cannot reach the internal primitive; this hands them the same bracket, so they never
/// write an attempt row themselves.
/// </summary>
public sealed class AuditedActions
{
    private readonly AuditedRuns runs;

    internal AuditedActions(AuditedRuns runs) => this.runs = runs;

    /// <summary>
    /// Attempt, run, outcome. The run gets the attempt's id; <paramref name="failed"/> is the outcome of a run that threw.
    /// A succeeded outcome is group-committed after the caller has its answer (the attempt, written first, is what
    /// fail-closed needs); any other is written before this returns.
    /// </summary>
    /// <exception cref="AuditUnavailableException">The attempt could not be written; nothing ran.</exception>
    public async Task<(long AuditId, T Value)> RunAsync<T>(AuditAttempt attempt, Func<long, Task<T>> run, Func<T, AuditOutcome> outcome,
        Func<Exception, AuditOutcome> failed, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(run);
        return await runs.RunAsync(attempt, context => run(context.AuditId), outcome, ct, failed: failed, successLater: true);
    }

    /// <summary>
    /// Attempt and run at once, for a run whose every effect is an audited attempt of its own (an MCP tool call
    /// around the SQL pipeline): the attempt is committed with the run's first one, a succeeded outcome is group-committed
    /// after the caller has its answer; see <see cref="AuditedRuns.RunCoveredAsync{T}"/>.
    /// </summary>
    /// <exception cref="AuditUnavailableException">The attempt could not be written.</exception>
    public Task<(long AuditId, T Value)> RunCoveredAsync<T>(AuditAttempt attempt, Func<Task<T>> run, Func<T, AuditOutcome> outcome,
        Func<Exception, AuditOutcome> failed) => runs.RunCoveredAsync(attempt, run, outcome, failed);

    /// <summary>An action decided without running anything (refused): the attempt and its outcome at once.</summary>
    public Task<long> RecordAsync(AuditAttempt attempt, AuditOutcome outcome, CancellationToken ct) => runs.RecordAsync(attempt, outcome, ct);
}
