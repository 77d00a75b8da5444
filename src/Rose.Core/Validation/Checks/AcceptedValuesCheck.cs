namespace Rose.Core.Validation.Checks;

/// <summary>
/// Every non-NULL value is one of a list. Compared as text so one check works for enums, text and
/// numbers alike; NULLs are the NOT NULL check's business.
/// </summary>
public sealed class AcceptedValuesCheck : IDataCheckKind
{
    public string Kind => CheckKinds.AcceptedValues;

    public IReadOnlyList<string> Aggregates(CheckDefinition check) =>
        [$"count(*) FILTER (WHERE {Condition(check)})"];

    public string? Query(CheckDefinition check) => null;

    public string? SampleQuery(CheckDefinition check) =>
        $"SELECT * FROM {CheckSql.Table(check)} WHERE {Condition(check)} LIMIT {SampleRows.MaxRows}";

    public CheckVerdict Evaluate(CheckDefinition check, IReadOnlyList<string?> values, CheckContext context) =>
        CheckSql.ByFailing(check, values, "rows with a value outside the accepted list");

    private static string Condition(CheckDefinition check)
    {
        var column = CheckSql.Id(CheckSql.RequireColumns(check, 1)[0]);
        if (check.Values.Count == 0)
        {
            throw new ValidationException($"accepted_values on {check.QualifiedTable} needs at least one value.");
        }

        return $"{column} IS NOT NULL AND {column}::text NOT IN ({string.Join(", ", check.Values.Select(CheckSql.Literal))})";
    }
}
