using System.Diagnostics;
using Npgsql;

namespace Rose.Core.Execution;

/// <summary>
/// One target connection held for a run. User statements come in only as classified batches and run
/// through <see cref="SqlExecutor"/>'s own statement step (one command each, extended protocol) after
/// the same <see cref="StatementGuard"/> check; Rose's own bookkeeping SQL uses positional parameters
/// and is reachable from Rose.Core only. Opened only by <see cref="SqlExecutor.OpenSessionAsync"/>;
/// disposing it rolls back and resets the backend before the connection returns to the pool.
/// </summary>
internal sealed partial class TargetSession : IAsyncDisposable
{
    private readonly CleanConnection lease;
    private readonly NpgsqlConnection conn;
    private readonly ExecutionLimits limits;
    private readonly StatementGuard guard;
    private NpgsqlTransaction? tx;

    internal TargetSession(CleanConnection lease, ExecutionLimits limits, StatementGuard guard, Targets.RegisteredTarget target)
    {
        this.lease = lease;
        Target = target;
        conn = lease.Connection;
        this.limits = limits;
        this.guard = guard;
    }

    /// <summary>The target this session is connected to.</summary>
    public Targets.RegisteredTarget Target { get; }

    /// <summary>For the executor's batch run on this session (an approved migration run under the lock).</summary>
    internal NpgsqlConnection Connection => conn;

    /// <summary>The server process id of this session (what pg_terminate_backend would name).</summary>
    public int BackendPid => conn.ProcessID;

    public bool InTransaction => tx is not null;

    public async Task BeginAsync(CancellationToken ct)
    {
        if (tx is not null)
        {
            throw new InvalidOperationException("A transaction is already open on this session.");
        }

        tx = await conn.BeginTransactionAsync(ct);
    }

    /// <summary>The open transaction's id (pg_current_xact_id, which assigns one), for the audit attempt crash recovery resolves.</summary>
    public async Task<long> TransactionIdAsync(CancellationToken ct)
    {
        if (tx is null)
        {
            throw new InvalidOperationException("No transaction is open.");
        }

        var rows = await QueryAsync("SELECT pg_current_xact_id()::text::bigint", [], ct);
        return (long)rows[0][0]!;
    }

    public async Task CommitAsync(CancellationToken ct)
    {
        var open = tx ?? throw new InvalidOperationException("No transaction is open.");
        tx = null;
        await using (open)
        {
            await open.CommitAsync(ct);
        }
    }

    /// <summary>
    /// Rose's own last statement of the open transaction (a history row) and COMMIT in one round trip: one
    /// batch, so a failing statement skips the COMMIT (the transaction stays open, failed, for the caller's
    /// rollback), and a failing COMMIT throws as <see cref="CommitAsync"/> does.
    /// </summary>
    public async Task CommitWithAsync(string sql, IReadOnlyList<object?> parameters, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var open = tx ?? throw new InvalidOperationException("No transaction is open.");
        await using (var batch = new NpgsqlBatch(conn, open) { Timeout = 0 })
        {
            var last = new NpgsqlBatchCommand(sql);
            foreach (var p in parameters)
            {
                last.Parameters.Add(new NpgsqlParameter { Value = p ?? DBNull.Value });
            }

            batch.BatchCommands.Add(last);
            batch.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));
            await batch.ExecuteNonQueryAsync(ct);
        }

        // The server committed; the transaction object only has to be let go.
        tx = null;
        await open.DisposeAsync();
    }

    /// <summary>Rolls back if a transaction is open; a broken connection has already lost it, so errors are swallowed.</summary>
    public async Task RollbackAsync()
    {
        var open = tx;
        tx = null;
        if (open is null)
        {
            return;
        }

        try
        {
            await open.RollbackAsync(CancellationToken.None);
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
        {
            // The server ends the transaction with the connection.
        }
        finally
        {
            await open.DisposeAsync();
        }
    }

    /// <summary>Rose's own SQL (one statement, $n parameters); returns every row. Never user text.</summary>
    internal async Task<List<object?[]>> QueryAsync(string sql, IReadOnlyList<object?> parameters, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        await using var cmd = new NpgsqlCommand(sql, conn, tx) { CommandTimeout = 0 };
        return await CommandRows.ReadAllAsync(cmd, parameters, ct);
    }

    /// <summary>Runs every statement of a classified batch; see <see cref="RunStatementsAsync(SqlBatch, IReadOnlyList{SqlStatement}, CancellationToken)"/>.</summary>
    public Task<ExecutionResult> RunStatementsAsync(SqlBatch batch, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return RunStatementsAsync(batch, batch.Statements, ct);
    }

    /// <summary>
    /// Runs some statements of a classified batch (e.g. one transaction segment) in order inside the
    /// open transaction (or each on its own when none is open). The whole batch is checked first and
    /// nothing runs unless every statement passes and each one asked for is the batch's own. Never
    /// throws for a server error: the result says Failed with the error.
    /// </summary>
    public async Task<ExecutionResult> RunStatementsAsync(SqlBatch batch, IReadOnlyList<SqlStatement> statements, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(statements);
        var result = new ExecutionResult { AllOrNothing = tx is not null };
        var total = Stopwatch.StartNew();
        if (!batch.AllParsed)
        {
            return Failed(result, new SqlError(StatementGuard.RefusedSqlState, "Only statements the parser understood can run."), total);
        }

        if (statements.FirstOrDefault(s => !batch.Statements.Contains(s, ReferenceEqualityComparer.Instance)) is { } stranger)
        {
            return Failed(result, new SqlError(StatementGuard.RefusedSqlState,
                $"Statement {stranger.Index + 1} is not a statement of the classified batch; nothing ran.", StatementIndex: stranger.Index), total);
        }

        if (guard.Check(batch) is { } refused)
        {
            return Failed(result, refused, total);
        }

        foreach (var statement in statements)
        {
            if (ParsingSettings.Check(conn, statement) is { } misread)
            {
                // As in the executor: a migration's function may have changed how the session reads the next statement.
                return Failed(result, misread, total);
            }

            var statementResult = new StatementResult { Index = statement.Index, Tag = statement.Tag, RanAlone = tx is null };
            result.Statements.Add(statementResult);
            try
            {
                // Rows are counted, not kept: a session runs migrations, whose SELECTs matter for their effects.
                await SqlExecutor.RunStatementAsync(conn, tx, statement, statementResult, limits with { MaxRows = 0 }, null, ct);
            }
            catch (PostgresException ex) when (!ct.IsCancellationRequested)
            {
                return Failed(result, SqlExecutor.ToError(ex, statement), total);
            }
            catch (NpgsqlException ex) when (!ct.IsCancellationRequested && ex.InnerException is TimeoutException)
            {
                return Failed(result, SqlExecutor.NoAnswer(limits, statement.Index), total);
            }
            catch (NpgsqlException ex) when (!ct.IsCancellationRequested)
            {
                // The connection broke (terminated backend, network): the server rolled back.
                return Failed(result, new SqlError(ex.SqlState ?? "08006", "The connection to the target was lost: " + ex.Message,
                    StatementIndex: statement.Index), total);
            }
        }

        result.Status = ExecutionStatus.Succeeded;
        result.DurationMs = total.Elapsed.TotalMilliseconds;
        return result;
    }

    /// <summary>The limits the session was opened with.</summary>
    public ExecutionLimits Limits => limits;

    private static ExecutionResult Failed(ExecutionResult result, SqlError error, Stopwatch total)
    {
        result.Status = ExecutionStatus.Failed;
        result.Error = error;
        result.DurationMs = total.Elapsed.TotalMilliseconds;
        return result;
    }

    public async ValueTask DisposeAsync()
    {
        await RollbackAsync();
        await lease.DisposeAsync();
    }
}
