namespace Rose.Core.Execution;

/// <summary>A run of statements that share one transaction, or one statement that must run alone.</summary>
internal sealed record TransactionSegment(IReadOnlyList<SqlStatement> Statements, bool InTransaction);

internal static class TransactionSegments
{
    /// <summary>Consecutive ordinary statements share a transaction; each no-transaction statement stands alone.</summary>
    public static List<TransactionSegment> Split(IReadOnlyList<SqlStatement> statements)
    {
        var segments = new List<TransactionSegment>();
        var current = new List<SqlStatement>();
        foreach (var statement in statements)
        {
            if (!statement.NoTransaction)
            {
                current.Add(statement);
                continue;
            }

            if (current.Count > 0)
            {
                segments.Add(new TransactionSegment(current, true));
                current = [];
            }

            segments.Add(new TransactionSegment([statement], false));
        }

        if (current.Count > 0)
        {
            segments.Add(new TransactionSegment(current, true));
        }

        return segments;
    }
}
