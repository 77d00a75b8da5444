using Npgsql;
using NpgsqlTypes;
using Rose.Core.Audit.Redaction;
using Rose.Core.Policy;
using Rose.Core.Control;

namespace Rose.Core.Audit;

/// <summary>
/// The append-only, hash-chained audit log (tables rose.audit_log and rose.audit_outcome).
/// Attempts are chained in id order by <see cref="AuditChainWriter"/>: each transaction takes an
/// advisory lock, reads the last row's hash and links its rows to it, so concurrent writers (and
/// instances) still build one straight chain.
/// </summary>
public sealed class AuditLog(ControlDatabase control)
{
    private readonly AuditChainWriter chain = new(control);

    /// <summary>
    /// Row hashes of attempts still waiting for their outcome, so writing the outcome does not read
    /// back what this process just wrote (one round trip less per execution). Another instance's or
    /// an old attempt falls back to the database.
    /// </summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<long, string> openAttempts = new();

    public async Task<long> RecordAttemptAsync(AuditAttempt attempt, CancellationToken ct)
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

        try
        {
            var written = chain.AppendAsync(new ChainRow(occurredAt, e.Id, e.Name, e.KindName, e.Provider, channel, attempt.Database,
                reason, stored, stored.Length, sqlHash, attempt.Operations, decision, attempt.DecisionReasons, attempt.ApprovalId, attempt.ApprovedBy));
            // A caller that gives up may still find its attempt written later: an attempt without outcome, as after a crash.
            var (id, rowHash) = await written.WaitAsync(ct);
            if (openAttempts.Count > 10_000)
            {
                // Attempts whose caller died before the outcome: the database still has their hash.
                openAttempts.Clear();
            }

            openAttempts[id] = rowHash;
            AttemptTracker.MarkRecorded();
            return id;
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            throw new AuditUnavailableException("The audit log could not be written, so nothing was run.", ex);
        }
    }

    public async Task RecordOutcomeAsync(long auditId, AuditOutcome outcome, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var error = outcome.ErrorMessage is null ? null : SecretRedactor.Redact(outcome.ErrorMessage);
        await using var conn = await control.DataSource.OpenConnectionAsync(ct);
        if (!openAttempts.TryRemove(auditId, out var rowHash))
        {
            await using var hashCmd = new NpgsqlCommand("SELECT row_hash FROM rose.audit_log WHERE id = $1", conn);
            hashCmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = auditId });
            rowHash = (string)(await hashCmd.ExecuteScalarAsync(ct) ?? throw new InvalidOperationException($"No audit row {auditId}."));
        }

        var outcomeHash = AuditHasher.OutcomeHash(rowHash, auditId, outcome.Status, outcome.RowsAffected, outcome.ErrorSqlState, error);
        const string insert = """
            INSERT INTO rose.audit_outcome (audit_id, finished_at, status, rows_affected, duration_ms,
                error_sqlstate, error_message, statements, outcome_hash)
            VALUES ($1, now(), $2, $3, $4, $5, $6, $7::jsonb, $8)
            """;
        await using var cmd = new NpgsqlCommand(insert, conn);
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = auditId });
        cmd.Parameters.Add(Text(outcome.Status));
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)outcome.RowsAffected ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)outcome.DurationMs ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Double });
        cmd.Parameters.Add(Text(outcome.ErrorSqlState));
        cmd.Parameters.Add(Text(error));
        cmd.Parameters.Add(Text(outcome.StatementsJson));
        cmd.Parameters.Add(Text(outcomeHash));
        await cmd.ExecuteNonQueryAsync(ct);
    }

    internal static NpgsqlParameter Text(string? value) =>
        new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text };
}
