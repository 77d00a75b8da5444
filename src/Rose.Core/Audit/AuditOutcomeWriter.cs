using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Rose.Core.Audit;

/// <summary>
/// Writes outcome rows that the caller does not wait for. A run that succeeded has already done its work
/// and its attempt is committed; what is left is the closing row, and making the caller wait for a
/// round trip and a commit of its own for it was a third of an audited read. Queued outcomes are written
/// by one loop on the thread pool, all that queued meanwhile in one INSERT (group commit): one round trip
/// and one commit for the group. Until its row is committed the attempt stays open in this process
/// (<see cref="AuditLog.IsOpen"/>), so crash recovery leaves it alone; if the process dies first, recovery
/// writes the outcome from the target as after any crash (pg_xact_status for a transaction, unknown for a
/// read that had none). Readers of outcomes in this process (the audit pages and API, the chain verifier)
/// first wait for what is queued (<see cref="SettledAsync"/>), so nobody here sees a run without its end.
/// </summary>
internal sealed class AuditOutcomeWriter(ControlDatabase control, ILogger logger)
{
    /// <summary>Most rows one INSERT carries; the rest go in the next.</summary>
    private const int MaxBatch = 512;

    /// <summary>
    /// Pauses between tries of a write that failed for a passing reason (the pool exhausted by a burst, a
    /// failover): about two minutes in all, then the rows are left to recovery, which closes the attempts
    /// from the target once the control database answers again.
    /// </summary>
    private static readonly TimeSpan[] RetryPauses = [.. new[] { 0.2, 0.5, 1, 2, 4, 8, 15, 30, 60 }.Select(TimeSpan.FromSeconds)];

    private const string Insert = """
        INSERT INTO rose.audit_outcome (audit_id, finished_at, status, rows_affected, duration_ms,
            error_sqlstate, error_message, statements, outcome_hash, recovered)
        SELECT o.audit_id, o.finished_at, o.status, o.rows_affected, o.duration_ms,
            o.error_sqlstate, o.error_message, o.statements::jsonb, o.outcome_hash, o.recovered
        FROM unnest($1::bigint[], $2::timestamptz[], $3::text[], $4::bigint[], $5::float8[], $6::text[], $7::text[], $8::text[], $9::text[], $10::boolean[])
            AS o (audit_id, finished_at, status, rows_affected, duration_ms, error_sqlstate, error_message, statements, outcome_hash, recovered)
        ON CONFLICT (audit_id) DO NOTHING
        """;

    private readonly Lock gate = new();
    private readonly Queue<QueuedOutcome> queue = new();
    private bool writing;

    /// <summary>Completes when the last row queued so far is written (or given up on); earlier rows are written in order before it.</summary>
    private Task last = Task.CompletedTask;

    /// <summary>Queues the row; the returned task completes once it is committed (or left to recovery) and never faults.</summary>
    public Task Enqueue(OutcomeRow row, Action written)
    {
        var queued = new QueuedOutcome(row, written);
        bool start;
        lock (gate)
        {
            queue.Enqueue(queued);
            last = queued.Done.Task;
            start = !writing;
            writing = true;
        }

        if (start)
        {
            // Always on the pool: the point is that the caller does not wait.
            _ = Task.Run(WriteLoopAsync);
        }

        return queued.Done.Task;
    }

    /// <summary>Completes once every row queued before this call is committed or left to recovery.</summary>
    public Task SettledAsync()
    {
        lock (gate)
        {
            return last;
        }
    }

    private async Task WriteLoopAsync()
    {
        while (true)
        {
            List<QueuedOutcome> batch;
            lock (gate)
            {
                if (queue.Count == 0)
                {
                    writing = false;
                    return;
                }

                batch = new List<QueuedOutcome>(Math.Min(queue.Count, MaxBatch));
                while (queue.Count > 0 && batch.Count < MaxBatch)
                {
                    batch.Add(queue.Dequeue());
                }
            }

            await WriteWithRetriesAsync(batch);
            foreach (var one in batch)
            {
                one.Written();
                one.Done.TrySetResult();
            }
        }
    }

    private async Task WriteWithRetriesAsync(List<QueuedOutcome> batch)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await WriteAsync(batch);
                return;
            }
            catch (PostgresException ex) when (!ex.IsTransient)
            {
                if (batch.Count == 1)
                {
                    logger.LogWarning(ex, "Audit {AuditId}: the outcome was refused ({SqlState}); recovery will write one", batch[0].Row.AuditId, ex.SqlState);
                    return;
                }

                // The server refused a row of the group: each gets its own INSERT so one cannot keep the others out.
                foreach (var one in batch)
                {
                    await WriteWithRetriesAsync([one]);
                }

                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException)
            {
                if (attempt > RetryPauses.Length)
                {
                    // The attempts stay without an outcome: recovery closes them from the target once it can.
                    logger.LogWarning(ex, "Audit outcomes of {Count} run(s) (first {AuditId}) could not be written; recovery will write them",
                        batch.Count, batch[0].Row.AuditId);
                    return;
                }

                await Task.Delay(RetryPauses[attempt - 1]);
            }
        }
    }

    private async Task WriteAsync(List<QueuedOutcome> batch)
    {
        var n = batch.Count;
        var ids = new long[n];
        var finished = new DateTime[n];
        var statuses = new string[n];
        var rows = new long?[n];
        var durations = new double?[n];
        var sqlStates = new string?[n];
        var errors = new string?[n];
        var statements = new string?[n];
        var hashes = new string[n];
        var recovered = new bool[n];
        for (var i = 0; i < n; i++)
        {
            var r = batch[i].Row;
            ids[i] = r.AuditId;
            finished[i] = r.FinishedAt;
            statuses[i] = r.Status;
            rows[i] = r.RowsAffected;
            durations[i] = r.DurationMs;
            sqlStates[i] = r.ErrorSqlState;
            errors[i] = r.ErrorMessage;
            statements[i] = r.StatementsJson;
            hashes[i] = r.OutcomeHash;
            recovered[i] = r.Recovered;
        }

        await using var cmd = control.DataSource.CreateCommand(Insert);
        cmd.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = ids });
        cmd.Parameters.Add(new NpgsqlParameter<DateTime[]> { TypedValue = finished, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
        cmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = statuses });
        cmd.Parameters.Add(new NpgsqlParameter<long?[]> { TypedValue = rows });
        cmd.Parameters.Add(new NpgsqlParameter<double?[]> { TypedValue = durations });
        cmd.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = sqlStates, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = errors, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = statements, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = hashes });
        cmd.Parameters.Add(new NpgsqlParameter<bool[]> { TypedValue = recovered });
        // One statement, autocommit: the group's rows commit together or not at all. ON CONFLICT: an outcome
        // recovery wrote first stands (it can only do so for another instance's attempt past the grace).
        await cmd.ExecuteNonQueryAsync(CancellationToken.None);
    }

    private sealed class QueuedOutcome(OutcomeRow row, Action written)
    {
        public OutcomeRow Row { get; } = row;

        public Action Written { get; } = written;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>An outcome as stored: redacted, hashed to its attempt, with the time the run finished.</summary>
internal sealed record OutcomeRow(
    long AuditId,
    DateTime FinishedAt,
    string Status,
    long? RowsAffected,
    double? DurationMs,
    string? ErrorSqlState,
    string? ErrorMessage,
    string? StatementsJson,
    string OutcomeHash,
    bool Recovered);
