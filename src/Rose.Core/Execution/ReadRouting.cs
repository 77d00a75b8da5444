namespace Rose.Core.Execution;

/// <summary>
/// Which batches run on the read-only connection in a READ ONLY transaction. A batch goes there only
/// when every statement is a parsed plain read: no write, no side-effecting function, and no row lock.
/// Row-locking reads (SELECT ... FOR UPDATE / NO KEY UPDATE / SHARE / KEY SHARE) block other writers,
/// so they are never treated as reads here, whatever flag a classifier set: they run on the read-write
/// connection and only after the policy allowed their own operation.
/// </summary>
public static class ReadRouting
{
    /// <summary>The operation of a row-locking read, as the classifier names it.</summary>
    public const string LockRows = "LOCK ROWS";

    public static bool IsPlainRead(SqlStatement statement)
    {
        ArgumentNullException.ThrowIfNull(statement);
        return statement.IsParsed
            && !statement.Writes
            && statement.Kind == StatementKind.Read
            && !statement.Operations.Any(TakesLocksOrHasEffects);
    }

    public static bool AllPlainReads(SqlBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return batch.Statements.Count > 0 && batch.Statements.All(IsPlainRead);
    }

    /// <summary>Row locks under either name ("LOCK ROWS", or the older "SELECT FOR UPDATE" family), and any side-effecting function.</summary>
    private static bool TakesLocksOrHasEffects(string operation) =>
        operation.StartsWith(LockRows, StringComparison.OrdinalIgnoreCase)
        || operation.StartsWith("SELECT FOR ", StringComparison.OrdinalIgnoreCase)
        || operation.StartsWith(SqlOperations.FunctionPrefix, StringComparison.OrdinalIgnoreCase);
}
