namespace Rose.Core.Validation.Checks;

/// <summary>No NULLs in columns the application treats as required, whether or not the schema says so.</summary>
public sealed class NotNullCheck : IDataCheckKind
{
    public string Kind => CheckKinds.NotNull;

    public IReadOnlyList<string> Aggregates(CheckDefinition check) =>
        [$"count(*) FILTER (WHERE {Condition(check)})"];

    public string? Query(CheckDefinition check) => null;

    public string? SampleQuery(CheckDefinition check) =>
        $"SELECT * FROM {CheckSql.Table(check)} WHERE {Condition(check)} LIMIT {SampleRows.MaxRows}";

    public CheckVerdict Evaluate(CheckDefinition check, IReadOnlyList<string?> values, CheckContext context) =>
        CheckSql.ByFailing(check, values, "rows with NULL");

    private static string Condition(CheckDefinition check) =>
        string.Join(" OR ", CheckSql.RequireColumns(check).Select(c => CheckSql.Id(c) + " IS NULL"));
}
