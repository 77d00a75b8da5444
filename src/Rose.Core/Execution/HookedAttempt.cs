namespace Rose.Core.Execution;

/// <summary>
/// The bracket of <see cref="AuditedRuns"/> for a run that writes its own attempt from inside, once its
/// target transaction is open (the executor's hook before the first statement): the attempt then carries
/// the transaction id, which crash recovery resolves with pg_xact_status, at no round trip of its own.
/// The interactive pipeline runs this way; everything else uses <see cref="AuditedRuns.RunAsync{T}"/>.
/// The attempt is written at most once; nothing is sent before it is (the hook fails closed).
/// </summary>
internal sealed class HookedAttempt(AuditLog audit, AuditAttempt attempt)
{
    private long? id;

    /// <summary>The attempt's id once it is written.</summary>
    public long Id => id ?? throw new InvalidOperationException("The attempt has not been written yet.");

    /// <summary>Writes the attempt, with the target transaction it will run in when there is one.</summary>
    /// <exception cref="AuditUnavailableException">The attempt could not be written; the run must not go on.</exception>
    public async Task<long> OpenAsync(long? targetXid, CancellationToken ct)
    {
        id = await audit.RecordAttemptAsync(attempt with { TargetXid = targetXid }, ct);
        return id.Value;
    }

    /// <summary>
    /// The attempt's id; when the run stopped before reaching its hook (no connection, a prior backup
    /// that could not be taken), the attempt is written now, without a transaction, so the log still says
    /// what was tried and why nothing ran.
    /// </summary>
    public async Task<long> OpenedAsync() => id ??= await audit.RecordAttemptAsync(attempt, CancellationToken.None);

    /// <summary>The run's outcome is for the target to tell (its COMMIT went unanswered): this process will not write it, crash recovery will.</summary>
    public void LeaveToRecovery() => audit.LeaveToRecovery(Id);

    /// <summary>
    /// Queues the outcome of a run that succeeded, without waiting for it to be written (see
    /// <see cref="AuditLog.RecordOutcomeLaterAsync"/>): the attempt, carrying the target transaction when
    /// there was one, is already committed, so a crash before the write is closed by recovery.
    /// </summary>
    public async Task CloseLaterAsync(AuditOutcome outcome) =>
        await audit.RecordOutcomeLaterAsync(await OpenedAsync(), outcome);

    /// <summary>Writes the outcome, even when the caller has gone away: the attempt must be closed.</summary>
    public async Task CloseAsync(AuditOutcome outcome) =>
        await audit.RecordOutcomeAsync(await OpenedAsync(), outcome, CancellationToken.None);
}
