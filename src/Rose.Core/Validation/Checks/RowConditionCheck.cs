namespace Rose.Core.Validation.Checks;

/// <summary>
/// A check whose failing rows are those matching one row condition: it adds a FILTER count to the
/// table's shared scan and samples with the same condition, so the count and the sample never disagree.
/// </summary>
public abstract class RowConditionCheck : IDataCheckKind
{
    public abstract string Kind { get; }

    /// <summary>What a failing row is, as a SQL condition over the table's columns (every name quoted).</summary>
    protected abstract string Condition(CheckDefinition check);

    /// <summary>The verdict's message when rows fail, e.g. "rows with NULL".</summary>
    protected abstract string FailingRowsText { get; }

    public IReadOnlyList<string> Aggregates(CheckDefinition check) =>
        [$"count(*) FILTER (WHERE {Condition(check)})"];

    public string? Query(CheckDefinition check) => null;

    public string? SampleQuery(CheckDefinition check) =>
        $"SELECT * FROM {CheckSql.Table(check)} WHERE {Condition(check)} LIMIT {SampleRows.MaxRows}";

    public CheckVerdict Evaluate(CheckDefinition check, IReadOnlyList<string?> values, CheckContext context) =>
        CheckSql.ByFailing(check, values, FailingRowsText);
}
