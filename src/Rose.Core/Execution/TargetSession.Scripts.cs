namespace Rose.Core.Execution;

/// <summary>
/// A whole script on a held session, the way migrations, undo and scratch checks run one: in one
/// transaction (with the caller's bookkeeping inside it, before COMMIT), or, when PostgreSQL forbids a
/// transaction for some statement, in segments like the executor's.
/// </summary>
internal sealed partial class TargetSession
{
    /// <summary>
    /// BEGIN (unless the audited run already opened the transaction to put its id on the attempt), the
    /// batch, then <paramref name="beforeCommit"/> (a history row) and COMMIT when it succeeded;
    /// ROLLBACK when it did not.
    /// </summary>
    public Task<ExecutionResult> RunInTransactionAsync(SqlBatch batch, Func<Task>? beforeCommit, CancellationToken ct) =>
        RunThenCommitAsync(batch, async () =>
        {
            if (beforeCommit is not null)
            {
                await beforeCommit();
            }

            await CommitAsync(ct);
        }, ct);

    /// <summary>
    /// As <see cref="RunInTransactionAsync(SqlBatch, Func{Task}, CancellationToken)"/>, with Rose's own last
    /// statement (<paramref name="lastSql"/>, a history row) sent together with COMMIT: one round trip less.
    /// <paramref name="lastParameters"/> is asked for after the batch ran, so it can carry its duration.
    /// </summary>
    public Task<ExecutionResult> RunInTransactionAsync(SqlBatch batch, string lastSql, Func<IReadOnlyList<object?>> lastParameters, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(lastParameters);
        return RunThenCommitAsync(batch, () => CommitWithAsync(lastSql, lastParameters(), ct), ct);
    }

    /// <summary>
    /// The body both overloads share: BEGIN unless a transaction is open, the batch, ROLLBACK when it did
    /// not succeed; otherwise <paramref name="commit"/>, which is the only step in which they differ.
    /// </summary>
    private async Task<ExecutionResult> RunThenCommitAsync(SqlBatch batch, Func<Task> commit, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (!InTransaction)
        {
            await BeginAsync(ct);
        }

        var result = await RunStatementsAsync(batch, ct);
        if (result.Status != ExecutionStatus.Succeeded)
        {
            await RollbackAsync();
            return result;
        }

        await commit();
        return result;
    }

    /// <summary>Segments like the executor's: consecutive ordinary statements share a transaction, the rest run alone.</summary>
    public async Task<ExecutionResult> RunSegmentedAsync(SqlBatch batch, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var total = new ExecutionResult { AllOrNothing = false, Status = ExecutionStatus.Succeeded };
        foreach (var segment in TransactionSegments.Split(batch.Statements))
        {
            if (segment.InTransaction)
            {
                await BeginAsync(ct);
            }

            var result = await RunStatementsAsync(batch, segment.Statements, ct);
            total.Statements.AddRange(result.Statements);
            if (result.Status != ExecutionStatus.Succeeded)
            {
                await RollbackAsync();
                total.Status = result.Status;
                total.Error = result.Error;
                return total;
            }

            if (segment.InTransaction)
            {
                await CommitAsync(ct);
            }
        }

        return total;
    }

    /// <summary>One script as apply runs it: in one transaction, or in segments when PostgreSQL forbids a transaction.</summary>
    public Task<ExecutionResult> RunScriptAsync(SqlBatch batch, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return batch.Statements.Any(s => s.NoTransaction) ? RunSegmentedAsync(batch, ct) : RunInTransactionAsync(batch, null, ct);
    }
}
