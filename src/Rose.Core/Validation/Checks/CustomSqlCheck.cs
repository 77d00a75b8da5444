namespace Rose.Core.Validation.Checks;

/// <summary>
/// A user's assertion: a read query whose rows are the failing rows (dbt's "singular test"). It is
/// classified here (one statement, a pure read) and again by the pipeline, whose policy allows
/// SELECT only, so a disguised write is refused twice.
/// </summary>
public sealed class CustomSqlCheck : IDataCheckKind
{
    public string Kind => CheckKinds.CustomSql;

    public IReadOnlyList<string> Aggregates(CheckDefinition check) => [];

    public string? Query(CheckDefinition check)
    {
        var sql = Body(check);
        return $"SELECT count(*) OVER () AS rose_failing, q.* FROM (\n{sql}\n) AS q LIMIT {SampleRows.MaxRows}";
    }

    public string? SampleQuery(CheckDefinition check) => null;

    public CheckVerdict Evaluate(CheckDefinition check, IReadOnlyList<string?> values, CheckContext context) =>
        CheckSql.ByFailing(check, values, "rows returned by the assertion");

    /// <summary>Null when the SQL is a single pure read; otherwise why it is refused.</summary>
    public static string? Refusal(ISqlClassifier classifier, string? sql)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        if (string.IsNullOrWhiteSpace(sql))
        {
            return "the assertion needs a query";
        }

        var batch = classifier.Classify(sql);
        if (batch.Statements.Count != 1)
        {
            return $"the assertion must be one statement; it has {batch.Statements.Count}";
        }

        var statement = batch.Statements[0];
        if (!statement.IsParsed)
        {
            return "the assertion does not parse: " + statement.Error!.Message;
        }

        return statement.Node != "SelectStmt" || statement.Writes || statement.Kind != StatementKind.Read
            || statement.Operations.Any(o => o != "SELECT")
            ? $"the assertion must be a pure read (SELECT); it is {string.Join(", ", statement.Operations)}"
            : null;
    }

    private static string Body(CheckDefinition check) =>
        (check.Sql ?? throw new ValidationException("custom_sql needs sql")).Trim().TrimEnd(';').Trim();
}
