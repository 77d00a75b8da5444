namespace Rose.Core.Execution;

/// <summary>
/// The executor's last check before user SQL leaves the process: every statement it is about to send
/// must be text the classifier produced for that statement. Two tests, both independent of how the
/// batch was built:
/// <list type="number">
/// <item>the statement's text sits in the batch text at the statement's offset, and statements come in
/// order without overlapping (nothing was re-derived, trimmed differently or stitched together);</item>
/// <item>the parser, reading the statement's text alone, finds exactly one statement with the same
/// classification (node, tag, operations, read/write, transaction needs). A text cut differently from
/// what the parser saw (a comment the server ends earlier, a string that hides a statement) reads as
/// something else and is refused.</item>
/// </list>
/// A batch that fails either test is not sent at all.
/// </summary>
internal sealed class StatementGuard(ISqlClassifier classifier)
{
    /// <summary>SQLSTATE of a refusal: 42601 (syntax_error), like every other "the parser did not vouch for this" answer.</summary>
    public const string RefusedSqlState = "42601";

    /// <summary>Null when every statement of the batch may be sent; else why not, naming the statement.</summary>
    public SqlError? Check(SqlBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var end = 0;
        foreach (var statement in batch.Statements)
        {
            var text = statement.Text ?? string.Empty;
            if (statement.Start < end || statement.Start + text.Length > batch.Text.Length
                || string.CompareOrdinal(batch.Text, statement.Start, text, 0, text.Length) != 0)
            {
                return Refused(statement, "its text is not the batch text at its position");
            }

            end = statement.Start + text.Length;
            if (Check(statement) is { } error)
            {
                return error;
            }
        }

        return null;
    }

    /// <summary>The second test alone, for a statement run without its batch (a rolled-back dry run).</summary>
    public SqlError? Check(SqlStatement statement)
    {
        ArgumentNullException.ThrowIfNull(statement);
        if (!statement.IsParsed || string.IsNullOrWhiteSpace(statement.Text))
        {
            return Refused(statement, "the parser did not read it");
        }

        var alone = classifier.Classify(statement.Text).Statements;
        if (alone.Count != 1)
        {
            return Refused(statement, $"read alone, its text holds {alone.Count} statements");
        }

        var again = alone[0];
        return SameClassification(statement, again)
            ? null
            : Refused(statement, $"read alone, its text is {again.Tag} ({string.Join(", ", again.Operations)}), not {statement.Tag} ({string.Join(", ", statement.Operations)})");
    }

    private static bool SameClassification(SqlStatement a, SqlStatement b) =>
        b.IsParsed
        && a.Node == b.Node
        && a.Tag == b.Tag
        && a.Operations.SequenceEqual(b.Operations, StringComparer.Ordinal)
        && a.Writes == b.Writes
        && a.Destructive == b.Destructive
        && a.NoTransaction == b.NoTransaction
        && a.TransactionControl == b.TransactionControl
        && a.Kind == b.Kind
        && a.UnfilteredDml == b.UnfilteredDml;

    private static SqlError Refused(SqlStatement statement, string why) => new(RefusedSqlState,
        $"Statement {statement.Index + 1} was not sent: {why}. Rose sends only the text the parser classified; nothing in this batch ran.",
        StatementIndex: statement.Index, Position: statement.Start);
}
