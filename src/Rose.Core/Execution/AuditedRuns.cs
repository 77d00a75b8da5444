namespace Rose.Core.Execution;

/// <summary>
/// The one audited-run primitive: the attempt row is written first (fail closed: no row, no run), the
/// run is given a <see cref="RunContext"/> carrying that row's id (and the target session it runs on,
/// when there is one), and the outcome row is written after it, also when the run throws or the caller
/// has gone away. Every path that does something on a target (the interactive pipeline, migrations and
/// their undo, reversibility checks on scratch databases, approval previews) and Rose's own audited
/// administration at start-up goes through here, so the bracket exists once. The architecture test
/// fails when an attempt is written anywhere outside Execution and Audit.
/// </summary>
internal sealed class AuditedRuns(AuditLog audit)
{
    /// <summary>Attempt, run, outcome; returns the attempt's id with the run's value. <paramref name="outcome"/> turns the value into the outcome row.</summary>
    /// <param name="session">The target session the run uses, handed to it in the context; null for runs that open their own.</param>
    /// <param name="failed">The outcome of a run that threw; by default failed (cancelled when cancelled) with the exception's message.</param>
    /// <exception cref="AuditUnavailableException">The attempt could not be written; nothing ran.</exception>
    /// <param name="behind">When given, the outcome row is written one step behind (see <see cref="OutcomesOneBehind"/>) instead of awaited here.</param>
    /// <param name="successLater">When true, a succeeded outcome is queued for group commit (<see cref="AuditLog.RecordOutcomeLaterAsync"/>) instead of awaited here.</param>
    public async Task<(long AuditId, T Value)> RunAsync<T>(AuditAttempt attempt, Func<RunContext, Task<T>> run, Func<T, AuditOutcome> outcome,
        CancellationToken ct, TargetSession? session = null, Func<Exception, AuditOutcome>? failed = null, OutcomesOneBehind? behind = null,
        bool successLater = false)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(outcome);
        var auditId = await audit.RecordAttemptAsync(attempt, ct);
        T value;
        try
        {
            value = await run(new RunContext(auditId, session));
        }
        catch (Exception ex)
        {
            await CloseAfterFailureAsync(auditId, (failed ?? Failed)(ex));
            throw;
        }

        // The outcome is written even when the caller has gone away: the attempt must be closed.
        if (behind is null)
        {
            await CloseAsync(auditId, outcome(value), successLater);
        }
        else
        {
            await behind.QueueAsync(auditId, outcome(value));
        }

        return (auditId, value);
    }

    /// <summary>
    /// The bracket for a run whose every effect is itself an audited attempt written before it (an MCP tool call
    /// around the SQL pipeline): the covering attempt is committed in the same transaction as the run's first
    /// attempt, ahead of it, instead of a commit of its own before the run. Nothing the run does takes effect
    /// before that commit; a run that writes no attempt did nothing, and its covering attempt is written after it.
    /// </summary>
    /// <exception cref="AuditUnavailableException">The covering attempt could not be written (the run's own attempt then failed too, or it wrote none).</exception>
    public async Task<(long AuditId, T Value)> RunCoveredAsync<T>(AuditAttempt attempt, Func<Task<T>> run, Func<T, AuditOutcome> outcome,
        Func<Exception, AuditOutcome> failed)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(outcome);
        ArgumentNullException.ThrowIfNull(failed);
        var held = audit.HoldAttempt(attempt);
        T value;
        try
        {
            value = await run();
        }
        catch (Exception ex)
        {
            try
            {
                await CloseAfterFailureAsync(await held.WrittenAsync(CancellationToken.None), failed(ex));
            }
            catch (AuditUnavailableException)
            {
                // The run's own exception is what the caller must see.
            }

            throw;
        }

        // The outcome is written even when the caller has gone away: the attempt must be closed. A success is
        // queued: every effect of the run already has its own rows, so the covering row's outcome only says how it ended.
        var auditId = await held.WrittenAsync(CancellationToken.None);
        await CloseAsync(auditId, outcome(value), successLater: true);
        return (auditId, value);
    }

    /// <summary>
    /// A run whose work is one transaction on a held session (a migration, its undo): the transaction is
    /// opened first and its id read, and the attempt carries it, as the executor's hook does for an
    /// interactive batch, so AuditRecovery can resolve a crash between the target's COMMIT and the
    /// outcome with pg_xact_status. The run finds the transaction open and commits or rolls it back;
    /// when the attempt cannot be written the transaction is rolled back and nothing ran.
    /// </summary>
    /// <param name="behind">When given, the outcome row is written one step behind (see <see cref="OutcomesOneBehind"/>) instead of awaited here.</param>
    public async Task<(long AuditId, T Value)> RunInTransactionAsync<T>(AuditAttempt attempt, TargetSession session, Func<RunContext, Task<T>> run,
        Func<T, AuditOutcome> outcome, CancellationToken ct, OutcomesOneBehind? behind = null)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        ArgumentNullException.ThrowIfNull(session);
        await session.BeginAsync(ct);
        try
        {
            var xid = await session.TransactionIdAsync(ct);
            return await RunAsync(attempt with { TargetXid = xid }, run, outcome, ct, session, behind: behind);
        }
        finally
        {
            // A no-op when the run committed or rolled back itself; otherwise (no attempt, a throw) nothing is kept.
            await session.RollbackAsync();
        }
    }

    /// <summary>The bracket of a run that writes its attempt from its own hook, once its transaction is open; see <see cref="HookedAttempt"/>.</summary>
    public HookedAttempt Begin(AuditAttempt attempt) => new(audit, attempt ?? throw new ArgumentNullException(nameof(attempt)));

    /// <summary>A fresh <see cref="OutcomesOneBehind"/> for one run of many audited steps.</summary>
    public OutcomesOneBehind OneBehind() => new(audit);

    /// <summary>
    /// The outcome rows of a run of many audited steps on one held session (a migration apply: each file its
    /// own attempt), each written one step behind: the write of step n's outcome goes on while step n+1's
    /// attempt is committed and its statements run, and handing over the next outcome first waits for it. So
    /// at most one outcome is unwritten at any time, its attempt still open for this process (recovery leaves
    /// it alone); after a crash, recovery resolves it from the target's transaction status like any attempt
    /// without an outcome. The run awaits <see cref="FlushAsync"/> before it reports anything done. A step that
    /// throws closes its attempt at once, as without this. Its only effect is one control-database round trip
    /// less on each step's path.
    /// </summary>
    public sealed class OutcomesOneBehind
    {
        private readonly AuditLog audit;
        private Task<bool> last = Task.FromResult(true);

        internal OutcomesOneBehind(AuditLog audit) => this.audit = audit;

        /// <summary>Waits for the previous outcome, then starts writing this one; a failure of the previous one is thrown here, after this one was started.</summary>
        internal async Task QueueAsync(long auditId, AuditOutcome outcome)
        {
            ArgumentNullException.ThrowIfNull(outcome);
            try
            {
                await last;
            }
            finally
            {
                // Started whatever became of the previous one, so this attempt is not left open by this process.
                last = audit.RecordOutcomeAsync(auditId, outcome, CancellationToken.None);
            }
        }

        /// <summary>Waits until every outcome handed over is written; throws when the last one failed.</summary>
        public Task FlushAsync() => last;
    }

    /// <summary>An attempt decided without running anything (denied, refused input, not run): both rows at once.</summary>
    public async Task<long> RecordAsync(AuditAttempt attempt, AuditOutcome outcome, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        ArgumentNullException.ThrowIfNull(outcome);
        var auditId = await audit.RecordAttemptAsync(attempt, ct);
        await audit.RecordOutcomeAsync(auditId, outcome, CancellationToken.None);
        return auditId;
    }

    /// <summary>
    /// Closes a run that returned. A success may be queued for group commit when the caller asks (it is off the
    /// caller's path; the attempt stays open in this process until written, and after a crash recovery closes it);
    /// anything else is written before the caller hears of it, so whoever looks for why something failed finds it.
    /// </summary>
    private Task CloseAsync(long auditId, AuditOutcome outcome, bool successLater) =>
        successLater && outcome.Status == AuditStatus.Succeeded
            ? audit.RecordOutcomeLaterAsync(auditId, outcome)
            : audit.RecordOutcomeAsync(auditId, outcome, CancellationToken.None);

    private static AuditOutcome Failed(Exception ex) => new(
        ex is OperationCanceledException ? AuditStatus.Cancelled : AuditStatus.Failed,
        ErrorSqlState: (ex as Npgsql.PostgresException)?.SqlState,
        ErrorMessage: ex.GetType().Name + ": " + ex.Message);

    /// <summary>
    /// The run's own exception is what the caller must see; when the outcome cannot be written either
    /// (the control database went away with the run), the attempt stays open, as after a crash.
    /// </summary>
    private async Task CloseAfterFailureAsync(long auditId, AuditOutcome outcome)
    {
        try
        {
            await audit.RecordOutcomeAsync(auditId, outcome, CancellationToken.None);
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or InvalidOperationException or TimeoutException or AuditUnavailableException)
        {
            // Left open on purpose; see the summary.
        }
    }
}

/// <summary>
/// What one audited run is given: the id of its attempt row and, for runs on a held target session
/// (migrations, approved migration runs, scratch checks), that session with its open transaction.
/// Hooks that must act inside the run's transaction (a prior backup, the target's txid on the
/// attempt) take it from here.
/// </summary>
internal sealed class RunContext(long auditId, TargetSession? session)
{
    public long AuditId { get; } = auditId;

    public TargetSession? Session { get; } = session;
}
