using System.Diagnostics;
using Npgsql;

namespace Rose.Core.Execution;

/// <summary>
/// Runs an already-approved batch on a target. It takes classified statements only, never SQL text:
/// before anything is sent, <see cref="StatementGuard"/> checks that each statement's text is the
/// classified text (in place in the batch, and read alone by the parser as the same statement). Each
/// statement is its own command over the extended protocol (so the server refuses anything that
/// smuggles a second statement); an all-read batch (<see cref="ReadRouting"/>) runs in a READ ONLY
/// transaction, on the read-only connection when there is one; a write batch runs in one transaction
/// unless it holds statements PostgreSQL cannot run in one. Timeouts are always set, and every
/// connection is reset before it goes back to the pool (<see cref="CleanConnection"/>). Only
/// <see cref="ExecutionService"/> calls this.
/// Raw Npgsql, not Dapper: user SQL has no record to map to, and rows are read value by value under row and size limits.
/// </summary>
internal sealed partial class SqlExecutor(ISqlClassifier classifier)
{
    private readonly StatementGuard guard = new(classifier);

    /// <param name="beforeRun">
    /// Called once, after the target connection is open and before the first statement is sent, with the
    /// id of the target transaction the first statements run in (null for a read-only batch or one that
    /// starts outside a transaction). The caller writes the audit attempt here, so the attempt is durable
    /// before anything runs and carries the id crash recovery resolves with pg_xact_status; if it
    /// throws, nothing is sent and the open transaction rolls back. Not called when the executor fails
    /// before it reaches the target (the result says why).
    /// </param>
    /// <param name="session">
    /// A held session of <paramref name="target"/> to run on instead of a pooled connection: an approved
    /// migration run executes on the session that holds the migration lock, so the lock and the SQL share
    /// one backend. The session stays open for its holder and is not reset; the run's transactions are
    /// its own and are over when this returns.
    /// </param>
    public async Task<ExecutionResult> ExecuteAsync(RegisteredTarget target, SqlBatch batch, ExecutionLimits limits,
        IRowSink? sink, CancellationToken ct, IBeforeStatement? before = null, Func<long?, CancellationToken, Task>? beforeRun = null,
        TargetSession? session = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (session is not null && !ReferenceEquals(session.Target, target))
        {
            throw new InvalidOperationException($"The held session is not a session of target '{target.Definition.Name}'.");
        }

        if (session is { InTransaction: true })
        {
            throw new InvalidOperationException("The held session has a transaction open; a batch runs in transactions of its own.");
        }

        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(limits);
        var result = new ExecutionResult();
        var total = Stopwatch.StartNew();

        // Defence in depth: the enforcer never allows these, and the executor refuses them anyway.
        if (!batch.AllParsed || batch.Statements.Count == 0)
        {
            return Fail(result, new SqlError("42601", "Only statements the parser understood can run."));
        }

        if (guard.Check(batch) is { } refused)
        {
            return Fail(result, refused);
        }

        if (batch.Statements.FirstOrDefault(s => s.TransactionControl) is { } txStatement)
        {
            return Fail(result, new SqlError("25000",
                $"Statement {txStatement.Index + 1} ({txStatement.Tag}): Rose runs every batch in a transaction of its own; remove BEGIN/COMMIT/ROLLBACK/SAVEPOINT.",
                StatementIndex: txStatement.Index, Position: txStatement.Start));
        }

        result.ReadOnly = ReadRouting.AllPlainReads(batch);
        var segments = TransactionSegments.Split(batch.Statements);
        result.AllOrNothing = segments.Count == 1 && segments[0].InTransaction;
        if (segments.Any(s => !s.InTransaction))
        {
            var alone = string.Join(", ", segments.Where(s => !s.InTransaction).Select(s => $"{s.Statements[0].Index + 1} ({s.Statements[0].Tag})"));
            result.Notes.Add(batch.Statements.Count == 1
                ? "PostgreSQL cannot run this statement inside a transaction, so it ran on its own."
                : $"Statements {alone} cannot run inside a transaction and ran on their own: the batch is not all-or-nothing.");
        }

        // A CSV export of one plain SELECT is sent as COPY ... TO STDOUT (SqlExecutor.Copy.cs).
        var copyText = result.ReadOnly && batch.Statements.Count == 1 && sink is ICsvCopySink copySink && copySink.WantsCopy(0)
            ? CsvCopyCommand(batch.Statements[0]) : null;
        // Plain reads under the target's own timeouts go to the pool whose sessions start with those limits
        // and READ ONLY (TargetPools.BuildReads): nothing to set per run, one round trip less. Other limits
        // (a preview's shorter ones) and held sessions set their own, as does every write.
        var preset = session is null && result.ReadOnly && limits.StatementTimeout == target.Definition.StatementTimeout
            && limits.LockTimeout == target.Definition.LockTimeout;
        var source = preset ? target.Reads : result.ReadOnly ? target.ReadOnly ?? target.ReadWrite : target.ReadWrite;
        try
        {
            await using var lease = session is null ? await CleanConnection.OpenAsync(source, ct) : null;
            var conn = lease?.Connection ?? session!.Connection;
            List<SqlNotice>? notices = null;
            NoticeEventHandler onNotice = (_, e) => notices?.Add(new SqlNotice(e.Notice.Severity, e.Notice.SqlState, e.Notice.MessageText, e.Notice.Detail, e.Notice.Hint));
            conn.Notice += onNotice;
            try
            {
                for (var s = 0; s < segments.Count; s++)
                {
                    var segment = segments[s];
                    await using var tx = segment.InTransaction ? await conn.BeginTransactionAsync(ct) : null;
                    // The first write transaction reads its id in the same round trip as BEGIN and the limits.
                    var wantXid = beforeRun is not null && s == 0 && tx is not null && !result.ReadOnly;
                    var xid = preset ? null : await SetSessionLimitsAsync(conn, tx, limits, ct, readOnly: tx is not null && result.ReadOnly, readXid: wantXid);
                    if (beforeRun is not null && s == 0)
                    {
                        await beforeRun(xid, ct);
                    }

                    for (var i = 0; i < segment.Statements.Count; i++)
                    {
                        var statement = segment.Statements[i];
                        if (ParsingSettings.Check(conn, statement) is { } misread)
                        {
                            // Nothing of this statement is sent (its prior backup neither); the transaction rolls back.
                            return Fail(result, misread, total);
                        }

                        var statementResult = new StatementResult { Index = statement.Index, Tag = statement.Tag, RanAlone = !segment.InTransaction };
                        notices = statementResult.Notices;
                        result.Statements.Add(statementResult);
                        // The COMMIT of the last statement of a transaction rides with the pool reset when nothing
                        // follows; a held session is not going back to the pool, so it is not reset.
                        var pipeline = new Pipeline(
                            Commit: tx is not null && i == segment.Statements.Count - 1,
                            Reset: lease is not null && i == segment.Statements.Count - 1 && s == segments.Count - 1);
                        try
                        {
                            if (before is not null)
                            {
                                await before.BeforeAsync(conn, tx, statement, ct);
                            }

                            if (copyText is not null
                                    ? await CopyStatementAsync(conn, tx, statement, copyText, statementResult, (ICsvCopySink)sink!, pipeline, ct)
                                    : preset && before is null && segments.Count == 1 && segment.Statements.Count == 1 && OneTripRead.Available
                                        ? await OneTripRead.RunAsync(conn, tx!, statement, statementResult, limits, sink, pipeline, ct)
                                        : await RunStatementAsync(conn, tx, statement, statementResult, limits, sink, pipeline, ct))
                            {
                                lease!.MarkReset();
                            }
                        }
                        catch (PostgresException ex) when (!ct.IsCancellationRequested && pipeline.IsCommit(ex.BatchCommand))
                        {
                            // The statement ran; the COMMIT failed (a deferred constraint, a serialization failure).
                            return Fail(result, ToError(ex, null), total);
                        }
                        catch (Exception ex) when (pipeline.CommitSent && ex is (NpgsqlException and not PostgresException) or OperationCanceledException)
                        {
                            // No answer to the COMMIT: it may have landed. Saying "failed" (or "cancelled") could hide a committed write.
                            result.OutcomeUnknown = true;
                            return Fail(result, CommitUnknown, total);
                        }
                        catch (PostgresException ex) when (!ct.IsCancellationRequested)
                        {
                            return Fail(result, ToError(ex, statement), total);
                        }
                    }
                }
            }
            finally
            {
                conn.Notice -= onNotice;
                if (session is not null && segments.Any(s => !s.InTransaction))
                {
                    // A statement outside a transaction set the run's limits for the session: give the holder its own back.
                    await RestoreSessionLimitsAsync(session);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Npgsql sent a cancel request to the server before throwing, so the query is stopped
            // there too; the transaction is rolled back when the connection is returned.
            result.Status = ExecutionStatus.Cancelled;
            result.Error = new SqlError("57014", "The execution was cancelled; the server query was cancelled too.");
            result.DurationMs = total.Elapsed.TotalMilliseconds;
            return result;
        }
        catch (PostgresException ex)
        {
            return Fail(result, ToError(ex, null), total);
        }
        catch (NpgsqlException ex) when (ex.InnerException is TimeoutException)
        {
            return Fail(result, NoAnswer(limits), total);
        }
        catch (NpgsqlException ex)
        {
            return Fail(result, new SqlError(ex.SqlState ?? "08000", "The target database could not be reached: " + ex.Message), total);
        }

        result.Status = ExecutionStatus.Succeeded;
        result.DurationMs = total.Elapsed.TotalMilliseconds;
        return result;
    }

    /// <summary>SQLSTATE 08007, transaction_resolution_unknown: what PostgreSQL's own clients call this case.</summary>
    internal static readonly SqlError CommitUnknown = new("08007",
        "The connection to the target was lost after the COMMIT was sent, so whether the transaction committed is unknown. "
        + "Rose does not guess: the audit log records the outcome from the target's transaction status (pg_xact_status) as soon as the target answers.");

    /// <summary>Added to the statement timeout for the client's own wait: the server ends a slow statement first, with its own error.</summary>
    internal const int ClientTimeoutGraceSeconds = 5;

    /// <summary>
    /// How long Npgsql waits for each answer to a user statement before it cancels and then gives the
    /// connection up. The server's statement_timeout ends a slow statement well before; this fires
    /// only when no answer can arrive (a stalled network, a frozen server), which without it would
    /// wait for TCP keepalive while the caller hangs.
    /// </summary>
    internal static int ClientTimeoutSeconds(ExecutionLimits limits) =>
        (int)Math.Min(Math.Ceiling(limits.StatementTimeout.TotalSeconds) + ClientTimeoutGraceSeconds, 1_000_000);

    /// <summary>The error of a statement whose answer never came (see <see cref="ClientTimeoutSeconds"/>).</summary>
    internal static SqlError NoAnswer(ExecutionLimits limits, int? statementIndex = null) => new("08006",
        $"The target did not answer within {ClientTimeoutSeconds(limits)} s (the statement timeout plus {ClientTimeoutGraceSeconds} s): "
        + "Rose gave the connection up, and the server rolls back the open transaction when it notices.", StatementIndex: statementIndex);

    /// <summary>One user statement exactly as Rose sends it (one command, extended protocol, text results); shared with <see cref="TargetSession"/>.</summary>
    internal static Task RunStatementAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, SqlStatement statement,
        StatementResult statementResult, ExecutionLimits limits, IRowSink? sink, CancellationToken ct) =>
        RunStatementAsync(conn, tx, statement, statementResult, limits, sink, Pipeline.None, ct);

    /// <summary>
    /// Sends the statement as its own command (extended protocol, text results), then, when the
    /// pipeline asks, the COMMIT and the pool reset together in the next round trip (each its own
    /// command). True when the pool reset ran and succeeded.
    /// </summary>
    private static async Task<bool> RunStatementAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, SqlStatement statement,
        StatementResult statementResult, ExecutionLimits limits, IRowSink? sink, Pipeline pipeline, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        // Values come back in PostgreSQL's own text form for every type, so nothing is lost to a
        // .NET mapping (numeric precision, infinity dates, custom types) and the UI shows what psql shows.
        await using var cmd = new NpgsqlCommand(statement.Text, conn, tx) { AllResultTypesAreUnknown = true, CommandTimeout = ClientTimeoutSeconds(limits) };
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await ReadResultAsync(reader, statement, statementResult, limits, sink, ct);
        await reader.CloseAsync();
        Finish(reader, statementResult, watch);
        return pipeline.Commit && await CommitAsync(conn, tx!, pipeline, ct);
    }

    private static void Finish(NpgsqlDataReader reader, StatementResult statementResult, Stopwatch watch)
    {
        // Like psql's "SELECT n": a statement that returns rows reports how many it returned.
        statementResult.RowsAffected = reader.RecordsAffected >= 0 ? reader.RecordsAffected
            : statementResult.Columns.Count > 0 ? statementResult.RowCount : null;
        statementResult.DurationMs = watch.Elapsed.TotalMilliseconds;
    }

    /// <summary>The statement's columns and rows, as text, under the row cap (or into the sink); the reader stays on this result.</summary>
    internal static async Task ReadResultAsync(NpgsqlDataReader reader, SqlStatement statement, StatementResult statementResult,
        ExecutionLimits limits, IRowSink? sink, CancellationToken ct)
    {
        if (reader.FieldCount > 0)
        {
            var columns = new ResultColumn[reader.FieldCount];
            for (var i = 0; i < columns.Length; i++)
            {
                columns[i] = new ResultColumn(reader.GetName(i), reader.GetDataTypeName(i));
            }

            statementResult.Columns = columns;
            if (sink is not null)
            {
                await sink.BeginResultAsync(statement.Index, columns, ct);
            }

            long count = 0;
            while (await reader.ReadAsync(ct))
            {
                count++;
                if (sink is null && statementResult.Rows.Count >= limits.MaxRows)
                {
                    // Past the cap: keep counting so the caller learns how much was cut.
                    statementResult.Truncated = true;
                    continue;
                }

                var values = new string?[columns.Length];
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = reader.IsDBNull(i) ? null : reader.GetString(i);
                }

                if (sink is null)
                {
                    statementResult.Rows.Add(values);
                }
                else
                {
                    await sink.WriteRowAsync(statement.Index, values, ct);
                }
            }

            statementResult.RowCount = count;
        }
    }

    /// <summary>
    /// COMMIT, and when nothing follows, DISCARD ALL in the same round trip: the Sync after the
    /// COMMIT ends the transaction first (DISCARD ALL cannot run inside one). A failed COMMIT
    /// throws; a failed reset returns false and the lease resets (or drops) the connection itself.
    /// </summary>
    private static async Task<bool> CommitAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Pipeline pipeline, CancellationToken ct)
    {
        pipeline.CommitSent = true;
        if (!pipeline.Reset)
        {
            await tx.CommitAsync(ct);
            return false;
        }

        await using var batch = new NpgsqlBatch(conn, tx);
        pipeline.CommitCommand = new NpgsqlBatchCommand("COMMIT") { AppendErrorBarrier = true };
        var reset = new NpgsqlBatchCommand("DISCARD ALL");
        batch.BatchCommands.Add(pipeline.CommitCommand);
        batch.BatchCommands.Add(reset);
        try
        {
            await batch.ExecuteNonQueryAsync(ct);
            return true;
        }
        catch (PostgresException ex) when (ReferenceEquals(ex.BatchCommand, reset))
        {
            return false;
        }
    }

    /// <returns>The transaction's id when <paramref name="readXid"/> asked for it (assigning one), else null.</returns>
    private static async Task<long?> SetSessionLimitsAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, ExecutionLimits limits, CancellationToken ct,
        bool readOnly = false, bool readXid = false)
    {
        // Inside a transaction the settings are LOCAL; outside, they last for the session and are
        // reset (DISCARD ALL) before the pooled connection is returned (CleanConnection). transaction_read_only is what
        // SET TRANSACTION READ ONLY sets; turning it on is allowed at any point of a transaction, so
        // it rides in the same round trip instead of a statement of its own.
        var local = tx is not null;
        await using var cmd = new NpgsqlCommand(
            (readOnly ? "SELECT set_config('transaction_read_only', 'on', true), " : "SELECT ")
            + "set_config('statement_timeout', $1, $3), set_config('lock_timeout', $2, $3), set_config('DateStyle', 'ISO, YMD', $3), set_config('IntervalStyle', 'iso_8601', $3)"
            + (readXid ? ", pg_current_xact_id()::text::bigint AS xid" : string.Empty),
            conn, tx);
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Millis(limits.StatementTimeout) });
        cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Millis(limits.LockTimeout) });
        cmd.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = local });
        if (!readXid)
        {
            await cmd.ExecuteNonQueryAsync(ct);
            return null;
        }

        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return reader.GetInt64(reader.FieldCount - 1);
    }

    private static string Millis(TimeSpan span) =>
        Math.Max(1, (long)span.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);

    private static ExecutionResult Fail(ExecutionResult result, SqlError error, Stopwatch? total = null)
    {
        result.Status = ExecutionStatus.Failed;
        result.Error = error;
        result.DurationMs = total?.Elapsed.TotalMilliseconds ?? 0;
        return result;
    }

    internal static SqlError ToError(PostgresException ex, SqlStatement? statement)
    {
        // The server's position is 1-based within the statement; callers want an offset in the batch.
        int? position = statement is not null && ex.Position > 0 ? statement.Start + ex.Position - 1 : null;
        return new SqlError(ex.SqlState, ex.MessageText, ex.Detail, ex.Hint, position, statement?.Index,
            ex.Severity, ex.Where, ex.SchemaName, ex.TableName, ex.ColumnName, ex.ConstraintName);
    }

    /// <summary>What follows a statement: the transaction's COMMIT, and the pool reset after it.</summary>
    private sealed record Pipeline(bool Commit, bool Reset)
    {
        public static Pipeline None => new(false, false);

        public NpgsqlBatchCommand? CommitCommand { get; set; }

        /// <summary>Set just before the COMMIT goes out: from then on a lost answer leaves the transaction's fate unknown.</summary>
        public bool CommitSent { get; set; }

        public bool IsCommit(NpgsqlBatchCommand? command) => command is not null && ReferenceEquals(command, CommitCommand);
    }
}
