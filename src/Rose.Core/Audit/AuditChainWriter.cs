using Npgsql;
using NpgsqlTypes;

namespace Rose.Core.Audit;

/// <summary>
/// Appends attempts to the hash chain with group commit. The chain serialises writers on one
/// advisory lock (across every console instance), and each commit waits for its WAL flush, so one
/// attempt per transaction caps the whole system at one flush per attempt. Here attempts that arrive
/// while a transaction is in flight queue up and the next transaction chains them all: one lock,
/// one read of the previous hash, one INSERT per attempt sent in a single batch with the COMMIT, one
/// flush. Every caller still waits for the commit that holds its row before anything runs (the
/// attempt is durable before execution, as before), and a batch that fails is retried one attempt
/// at a time so a bad row cannot take its neighbours down with it.
/// Raw Npgsql, not Dapper like the control stores: the lock, the hash read, the INSERTs and the COMMIT
/// go out as NpgsqlBatch round trips on one connection, which Dapper has no form for.
/// </summary>
internal sealed class AuditChainWriter(ControlDatabase control)
{
    /// <summary>Most attempts one transaction chains; bounds the batch a single failure retries.</summary>
    private const int MaxBatch = 256;

    private const long ChainLockKey = 0x526f_7365_4175_6469; // "RoseAudi"

    private const string Insert = """
        INSERT INTO rose.audit_log (occurred_at, executor_id, executor_name, executor_kind, provider, channel,
            database_name, reason, sql_text, sql_length, sql_hash, operations, decision, decision_reasons,
            approval_id, approved_by, prev_hash, row_hash, target_xid)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
        RETURNING id
        """;

    /// <summary>
    /// The same INSERT, only when the chain's head is still the hash this writer last wrote ($17): the
    /// one-round-trip form. Statements of one batch see each other's rows, so the second row's check
    /// sees the first; when another instance wrote in between, no row matches and nothing is inserted.
    /// </summary>
    private const string InsertIfHead = """
        INSERT INTO rose.audit_log (occurred_at, executor_id, executor_name, executor_kind, provider, channel,
            database_name, reason, sql_text, sql_length, sql_hash, operations, decision, decision_reasons,
            approval_id, approved_by, prev_hash, row_hash, target_xid)
        SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19
        WHERE COALESCE((SELECT row_hash FROM rose.audit_log ORDER BY id DESC LIMIT 1), $20) = $17
        RETURNING id
        """;

    private readonly Lock gate = new();

    /// <summary>
    /// The row hash of the last row this writer committed, or null when unknown (at start, after a
    /// failure). Only the write loop touches it, one batch at a time.
    /// </summary>
    private string? head;
    private readonly Queue<PendingAttempt> queue = new();
    private bool writing;

    /// <summary>Queues the row and waits until a committed transaction holds it; returns its id and row hash.</summary>
    public Task<(long Id, string RowHash)> AppendAsync(ChainRow row) => AppendAsync(row, hold: false);

    /// <summary>
    /// Queues the row without starting a write: it is committed with the next row anyone appends (in the same
    /// transaction when the writer is idle, ahead of that row), or at <see cref="Flush"/>. For a row that covers
    /// work whose own first step is an audited attempt (an MCP tool call around its SQL): one commit for both.
    /// </summary>
    public Task<(long Id, string RowHash)> Hold(ChainRow row) => AppendAsync(row, hold: true);

    /// <summary>Starts the writer when rows are queued (held ones) and nobody is writing them.</summary>
    public void Flush()
    {
        lock (gate)
        {
            if (writing || queue.Count == 0)
            {
                return;
            }

            writing = true;
        }

        _ = Task.Run(() => WriteLoopAsync(null));
    }

    private Task<(long Id, string RowHash)> AppendAsync(ChainRow row, bool hold)
    {
        var pending = new PendingAttempt(row);
        bool start;
        lock (gate)
        {
            queue.Enqueue(pending);
            start = !writing && !hold;
            writing |= start;
        }

        if (!start)
        {
            return pending.Done.Task;
        }

        // The first caller to find the writer idle becomes it. Without a synchronization context (API, MCP,
        // background work) it writes on its own thread until its row is committed, then hands what queued
        // meanwhile to the pool: at low load an attempt costs no thread hop there and back. A caller with a
        // context (a Blazor circuit) hands the loop to the pool at once, so the chain never runs on a UI context.
        return SynchronizationContext.Current is null ? WriteUntilAsync(pending) : StartLoop(pending);
    }

    private Task<(long Id, string RowHash)> StartLoop(PendingAttempt pending)
    {
        _ = Task.Run(() => WriteLoopAsync(null));
        return pending.Done.Task;
    }

    private async Task<(long Id, string RowHash)> WriteUntilAsync(PendingAttempt mine)
    {
        await WriteLoopAsync(mine);
        return await mine.Done.Task;
    }

    /// <param name="mine">The caller's own attempt when the caller is writing: the loop hands over once it is done.</param>
    private async Task WriteLoopAsync(PendingAttempt? mine)
    {
        while (true)
        {
            List<PendingAttempt> batch;
            lock (gate)
            {
                if (queue.Count == 0)
                {
                    writing = false;
                    return;
                }

                if (mine is not null && mine.Done.Task.IsCompleted)
                {
                    // The caller's row is committed and more arrived meanwhile: the pool takes the loop over.
                    _ = Task.Run(() => WriteLoopAsync(null));
                    return;
                }

                batch = new List<PendingAttempt>(Math.Min(queue.Count, MaxBatch));
                while (queue.Count > 0 && batch.Count < MaxBatch)
                {
                    batch.Add(queue.Dequeue());
                }
            }

            try
            {
                await WriteAsync(batch);
            }
            catch (Exception) when (batch.Count > 1)
            {
                // Nothing of the batch committed; each attempt gets its own transaction and its own answer.
                foreach (var one in batch)
                {
                    await WriteOneAsync(one);
                }
            }
            catch (Exception ex)
            {
                foreach (var one in batch)
                {
                    one.Done.TrySetException(ex);
                }
            }
        }
    }

    private async Task WriteOneAsync(PendingAttempt one)
    {
        try
        {
            await WriteAsync([one]);
        }
        catch (Exception ex)
        {
            one.Done.TrySetException(ex);
        }
    }

    /// <summary>
    /// Two round trips whatever the batch size: BEGIN + lock + previous hash, then the INSERTs + COMMIT.
    /// Each statement of a batch takes its own snapshot, so the previous-hash read, which runs after
    /// the lock is granted, sees the row the last lock holder committed.
    /// </summary>
    private async Task WriteAsync(IReadOnlyList<PendingAttempt> batch)
    {
        await using var conn = await control.DataSource.OpenConnectionAsync(CancellationToken.None);
        try
        {
            // Usually this instance wrote the head itself: one round trip. Otherwise the head is read first.
            if (head is null || !await TryWriteAfterHeadAsync(conn, batch, head))
            {
                head = null;
                head = await WriteAsync(conn, batch);
            }
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            // A failed batch leaves its transaction open and aborted; end it before the connection goes back to the pool.
            if (conn.State == System.Data.ConnectionState.Open)
            {
                try
                {
                    await using var rollback = new NpgsqlCommand("ROLLBACK", conn);
                    await rollback.ExecuteNonQueryAsync(CancellationToken.None);
                }
                catch (Exception inner) when (inner is NpgsqlException or InvalidOperationException)
                {
                    // The connection is broken; the server already rolled back with it.
                }
            }

            head = null;
            throw;
        }
    }

    /// <summary>
    /// One round trip: BEGIN, the lock, each INSERT on condition that the head is still <paramref name="expectedHead"/>,
    /// COMMIT. False when the head had moved (another instance wrote): nothing was inserted.
    /// </summary>
    private async Task<bool> TryWriteAfterHeadAsync(NpgsqlConnection conn, IReadOnlyList<PendingAttempt> batch, string expectedHead)
    {
        var hashes = new string[batch.Count];
        await using var one = new NpgsqlBatch(conn);
        one.BatchCommands.Add(new NpgsqlBatchCommand("BEGIN"));
        one.BatchCommands.Add(LockCommand());
        var prevHash = expectedHead;
        for (var i = 0; i < batch.Count; i++)
        {
            hashes[i] = Hash(prevHash, batch[i].Row);
            var insert = InsertCommand(batch[i].Row, prevHash, hashes[i], InsertIfHead);
            insert.Parameters.Add(AuditLog.Text(AuditHasher.Genesis));
            one.BatchCommands.Add(insert);
            prevHash = hashes[i];
        }

        one.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));
        var ids = await ReadIdsAsync(one);
        if (ids.Count == 0)
        {
            return false;
        }

        if (ids.Count != batch.Count)
        {
            throw new InvalidOperationException($"The audit batch returned {ids.Count} ids for {batch.Count} rows.");
        }

        head = hashes[^1];
        Complete(batch, ids, hashes);
        return true;
    }

    private static NpgsqlBatchCommand LockCommand()
    {
        var lockCmd = new NpgsqlBatchCommand("SELECT pg_advisory_xact_lock($1)");
        lockCmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = ChainLockKey });
        return lockCmd;
    }

    private static string Hash(string prevHash, ChainRow r) =>
        AuditHasher.RowHash(prevHash, r.OccurredAt, r.ExecutorId, r.ExecutorName, r.ExecutorKind, r.Provider, r.Channel,
            r.Database, r.Reason, r.StoredSql, r.SqlLength, r.SqlHash, r.Operations, r.Decision, r.DecisionReasons, r.ApprovalId, r.ApprovedBy, r.TargetXid);

    /// <summary>The ids the batch's INSERTs returned, in order (BEGIN, the lock and COMMIT answer too, without an id).</summary>
    private static async Task<List<long>> ReadIdsAsync(NpgsqlBatch batch)
    {
        var ids = new List<long>();
        await using var reader = await batch.ExecuteReaderAsync(CancellationToken.None);
        do
        {
            if (reader.FieldCount == 1 && reader.GetName(0) == "id" && await reader.ReadAsync())
            {
                ids.Add(reader.GetInt64(0));
            }
        }
        while (await reader.NextResultAsync());
        return ids;
    }

    /// <summary>Only now is every row durable; before this, no caller may run anything.</summary>
    private static void Complete(IReadOnlyList<PendingAttempt> batch, List<long> ids, string[] hashes)
    {
        for (var i = 0; i < batch.Count; i++)
        {
            batch[i].Done.TrySetResult((ids[i], hashes[i]));
        }
    }

    /// <returns>The row hash of the last row written: the chain's head.</returns>
    private static async Task<string> WriteAsync(NpgsqlConnection conn, IReadOnlyList<PendingAttempt> batch)
    {
        string prevHash;
        await using (var first = new NpgsqlBatch(conn))
        {
            first.BatchCommands.Add(new NpgsqlBatchCommand("BEGIN"));
            first.BatchCommands.Add(LockCommand());
            first.BatchCommands.Add(new NpgsqlBatchCommand("SELECT row_hash FROM rose.audit_log ORDER BY id DESC LIMIT 1"));
            await using var reader = await first.ExecuteReaderAsync(CancellationToken.None);
            prevHash = AuditHasher.Genesis;
            do
            {
                // BEGIN and the lock answer too; only the row_hash result matters.
                if (reader.FieldCount == 1 && reader.GetName(0) == "row_hash" && await reader.ReadAsync())
                {
                    prevHash = reader.GetString(0);
                }
            }
            while (await reader.NextResultAsync());
        }

        var hashes = new string[batch.Count];
        await using var body = new NpgsqlBatch(conn);
        for (var i = 0; i < batch.Count; i++)
        {
            hashes[i] = Hash(prevHash, batch[i].Row);
            body.BatchCommands.Add(InsertCommand(batch[i].Row, prevHash, hashes[i], Insert));
            prevHash = hashes[i];
        }

        body.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));
        var ids = await ReadIdsAsync(body);
        if (ids.Count != batch.Count)
        {
            throw new InvalidOperationException($"The audit batch returned {ids.Count} ids for {batch.Count} rows.");
        }

        Complete(batch, ids, hashes);
        return hashes[^1];
    }

    private static NpgsqlBatchCommand InsertCommand(ChainRow r, string prevHash, string rowHash, string sql)
    {
        var cmd = new NpgsqlBatchCommand(sql);
        cmd.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = r.OccurredAt, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        cmd.Parameters.Add(AuditLog.Text(r.ExecutorId));
        cmd.Parameters.Add(AuditLog.Text(r.ExecutorName));
        cmd.Parameters.Add(AuditLog.Text(r.ExecutorKind));
        cmd.Parameters.Add(AuditLog.Text(r.Provider));
        cmd.Parameters.Add(AuditLog.Text(r.Channel));
        cmd.Parameters.Add(AuditLog.Text(r.Database));
        cmd.Parameters.Add(AuditLog.Text(r.Reason));
        cmd.Parameters.Add(AuditLog.Text(r.StoredSql));
        cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = r.SqlLength });
        cmd.Parameters.Add(AuditLog.Text(r.SqlHash));
        cmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. r.Operations] });
        cmd.Parameters.Add(AuditLog.Text(r.Decision));
        cmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. r.DecisionReasons] });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)r.ApprovalId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        cmd.Parameters.Add(AuditLog.Text(r.ApprovedBy));
        cmd.Parameters.Add(AuditLog.Text(prevHash));
        cmd.Parameters.Add(AuditLog.Text(rowHash));
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)r.TargetXid ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        return cmd;
    }

    private sealed class PendingAttempt(ChainRow row)
    {
        public ChainRow Row { get; } = row;

        // Continuations run off the writer's thread so one slow caller never delays the next batch.
        public TaskCompletionSource<(long Id, string RowHash)> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>An attempt as stored: redacted, cut, hashed, ready to be chained.</summary>
internal sealed record ChainRow(
    DateTime OccurredAt,
    string ExecutorId,
    string ExecutorName,
    string ExecutorKind,
    string Provider,
    string Channel,
    string Database,
    string? Reason,
    string StoredSql,
    int SqlLength,
    string SqlHash,
    IReadOnlyList<string> Operations,
    string Decision,
    IReadOnlyList<string> DecisionReasons,
    long? ApprovalId,
    string? ApprovedBy,
    long? TargetXid = null);
