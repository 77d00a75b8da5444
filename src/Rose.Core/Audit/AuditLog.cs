using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;
using Rose.Core.Audit.Redaction;

namespace Rose.Core.Audit;

/// <summary>
/// The append-only, hash-chained audit log (tables rose.audit_log and rose.audit_outcome).
/// Attempts are chained in id order by <see cref="AuditChainWriter"/>: each transaction takes an
/// advisory lock, reads the last row's hash and links its rows to it, so concurrent writers (and
/// instances) still build one straight chain.
/// </summary>
public sealed class AuditLog(ControlDatabase control, ILogger<AuditLog>? logger = null) : IAsyncDisposable
{
    /// <summary>How long stopping waits for queued outcomes; what is still queued after it is left to recovery.</summary>
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(15);

    private readonly AuditChainWriter chain = new(control);

    private readonly AuditOutcomeWriter later = new(control, (ILogger?)logger ?? NullLogger.Instance);

    /// <summary>Attempts this process wrote and is still to close (see <see cref="OpenAttempts"/>).</summary>
    private readonly OpenAttempts openAttempts = new();

    /// <summary>Whether this process wrote the attempt and is still to write its outcome (recovery leaves it alone).</summary>
    public bool IsOpen(long auditId) => openAttempts.Contains(auditId);

    /// <summary>This process will not write the attempt's outcome (its fate is for the target to tell): recovery may.</summary>
    public void LeaveToRecovery(long auditId) => openAttempts.TryRemove(auditId, out _);

    public Task<long> RecordAttemptAsync(AuditAttempt attempt, CancellationToken ct) =>
        WrittenAsync(chain.AppendAsync(ToRow(attempt)), ct);

    /// <summary>
    /// Queues the attempt to be committed with the next attempt this process writes (see <see cref="AuditChainWriter.Hold"/>);
    /// <see cref="HeldAttempt.WrittenAsync"/> commits it if nothing else did and returns its id.
    /// </summary>
    public HeldAttempt HoldAttempt(AuditAttempt attempt) => new(this, chain.Hold(ToRow(attempt)));

    /// <summary>An attempt queued by <see cref="HoldAttempt"/>.</summary>
    public sealed class HeldAttempt
    {
        private readonly AuditLog log;
        private readonly Task<(long Id, string RowHash)> written;

        internal HeldAttempt(AuditLog log, Task<(long Id, string RowHash)> written)
        {
            this.log = log;
            this.written = written;
        }

        /// <summary>Waits for the commit that holds the attempt (starting one when none is under way); returns its id.</summary>
        /// <exception cref="AuditUnavailableException">The attempt could not be written.</exception>
        public Task<long> WrittenAsync(CancellationToken ct)
        {
            log.chain.Flush();
            return log.WrittenAsync(written, ct);
        }
    }

    private static ChainRow ToRow(AuditAttempt attempt)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        // Stored whole (the request limit Rose:Execution:MaxSqlLength bounds it): an auditor sees every byte that was sent, secrets masked.
        var stored = SqlRedactor.Redact(attempt.Sql);
        var sqlHash = AuditHasher.Sha256Hex(stored);
        var reason = attempt.Reason is null ? null : SecretRedactor.Redact(attempt.Reason);
        var occurredAt = AuditHasher.ToMicroseconds(DateTime.UtcNow);
        var e = attempt.Executor;
        var decision = attempt.Decision.Name();
        var channel = attempt.Channel.ToString().ToLowerInvariant();
        return new ChainRow(occurredAt, e.Id, e.Name, e.KindName, e.Provider, channel, attempt.Database,
            reason, stored, stored.Length, sqlHash, attempt.Operations, decision, attempt.DecisionReasons, attempt.ApprovalId, attempt.ApprovedBy, attempt.TargetXid);
    }

    private async Task<long> WrittenAsync(Task<(long Id, string RowHash)> written, CancellationToken ct)
    {
        try
        {
            // A caller that gives up may still find its attempt written later: an attempt without outcome, as after a crash.
            var (id, rowHash) = await written.WaitAsync(ct);
            var dropped = openAttempts.Add(id, rowHash);
            if (dropped > 0)
            {
                // Runs that neither closed their attempt nor left it to recovery: a bug, said once per trim.
                logger?.LogWarning("{Count} audit attempts older than audit id {Id} were still listed as running here; recovery may now close them",
                    dropped, id);
            }

            AttemptTracker.MarkRecorded();
            return id;
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            throw new AuditUnavailableException("The audit log could not be written, so nothing was run.", ex);
        }
    }

    /// <summary>Writes the attempt's one outcome; false when it already had one (recovery wrote it first).</summary>
    public async Task<bool> RecordOutcomeAsync(long auditId, AuditOutcome outcome, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        // No longer open whatever happens next: if this write fails, AuditRecovery is free to write the outcome.
        openAttempts.TryRemove(auditId, out var rowHash);
        await using var conn = await control.DataSource.OpenConnectionAsync(ct);
        if (rowHash is null)
        {
            await using var hashCmd = new NpgsqlCommand("SELECT row_hash FROM rose.audit_log WHERE id = $1", conn);
            hashCmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = auditId });
            rowHash = (string)(await hashCmd.ExecuteScalarAsync(ct) ?? throw new InvalidOperationException($"No audit row {auditId}."));
        }

        var row = Seal(auditId, rowHash, outcome);
        const string insert = """
            INSERT INTO rose.audit_outcome (audit_id, finished_at, status, rows_affected, duration_ms,
                error_sqlstate, error_message, statements, outcome_hash, recovered)
            VALUES ($1, now(), $2, $3, $4, $5, $6, $7::jsonb, $8, $9)
            ON CONFLICT (audit_id) DO NOTHING
            """;
        await using var cmd = new NpgsqlCommand(insert, conn);
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = auditId });
        cmd.Parameters.Add(Text(row.Status));
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)row.RowsAffected ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)row.DurationMs ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Double });
        cmd.Parameters.Add(Text(row.ErrorSqlState));
        cmd.Parameters.Add(Text(row.ErrorMessage));
        cmd.Parameters.Add(Text(row.StatementsJson));
        cmd.Parameters.Add(Text(row.OutcomeHash));
        cmd.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = row.Recovered });
        // An attempt has one outcome. Recovery can only get here first when another instance's attempt
        // outlived the recovery grace; its outcome (committed or not, from pg_xact_status) stands.
        return await cmd.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>
    /// The outcome of a run that is over and succeeded, written without the caller waiting for it (group
    /// commit, <see cref="AuditOutcomeWriter"/>): the attempt stays open in this process until the row is
    /// committed, and crash recovery closes it from the target if the process dies first. An attempt this
    /// process did not write (or no longer tracks) is closed at once instead, as by <see cref="RecordOutcomeAsync"/>.
    /// </summary>
    public async Task RecordOutcomeLaterAsync(long auditId, AuditOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        if (!openAttempts.TryGet(auditId, out var rowHash))
        {
            await RecordOutcomeAsync(auditId, outcome, CancellationToken.None);
            return;
        }

        _ = later.Enqueue(Seal(auditId, rowHash, outcome), () => openAttempts.TryRemove(auditId, out _));
    }

    /// <summary>
    /// Completes once every outcome this process queued before the call is written (or left to recovery).
    /// Whoever reads outcomes here waits for it first, so a run's own process never shows it unfinished.
    /// </summary>
    public Task OutcomesWrittenAsync() => later.SettledAsync();

    /// <summary>
    /// On the way down (the container disposes this before the control database it was built on), queued
    /// outcomes are written: a clean stop leaves no attempt for recovery to close.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await later.SettledAsync().WaitAsync(DrainTimeout);
        }
        catch (TimeoutException)
        {
            logger?.LogWarning("Audit outcomes still queued after {Seconds} s at shutdown; recovery will write them", DrainTimeout.TotalSeconds);
        }
    }

    /// <summary>The stored form of an outcome: its error redacted, bound to its attempt's row hash.</summary>
    private static OutcomeRow Seal(long auditId, string rowHash, AuditOutcome outcome)
    {
        var error = outcome.ErrorMessage is null ? null : SecretRedactor.Redact(outcome.ErrorMessage);
        var outcomeHash = AuditHasher.OutcomeHash(rowHash, auditId, outcome.Status, outcome.RowsAffected, outcome.ErrorSqlState, error, outcome.Recovered);
        return new OutcomeRow(auditId, DateTime.UtcNow, outcome.Status, outcome.RowsAffected, outcome.DurationMs, outcome.ErrorSqlState, error,
            outcome.StatementsJson, outcomeHash, outcome.Recovered);
    }

    internal static NpgsqlParameter Text(string? value) =>
        new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text };
}
