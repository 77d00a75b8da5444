namespace Rose.Core.Validation.Checks;

/// <summary>
/// One kind of data check. Aggregate kinds add expressions to the single per-table scan (one
/// SELECT with FILTER clauses); the others bring their own query, whose first column is the
/// failing-row count (a window over all failing rows) and whose rows are a sample.
/// </summary>
public interface IDataCheckKind
{
    string Kind { get; }

    /// <summary>Expressions for the table's shared aggregate scan; empty when the kind needs its own query.</summary>
    IReadOnlyList<string> Aggregates(CheckDefinition check);

    /// <summary>The kind's own query (failing count first, then sample columns), or null for aggregate kinds.</summary>
    string? Query(CheckDefinition check);

    /// <summary>Up to <see cref="SampleRows.MaxRows"/> failing rows; run only after an aggregate check failed.</summary>
    string? SampleQuery(CheckDefinition check);

    /// <summary>Turns the values of <see cref="Aggregates"/> (or the failing count of <see cref="Query"/>) into a verdict.</summary>
    CheckVerdict Evaluate(CheckDefinition check, IReadOnlyList<string?> values, CheckContext context);
}

public sealed record CheckVerdict(string Status, long? FailingRows, string? Message, decimal? Observed = null);

/// <param name="PreviousObserved">What the same check measured in the database's previous run (row-count baselines).</param>
public sealed record CheckContext(decimal? PreviousObserved, DateTimeOffset Now);

/// <summary>Quoting and shared SQL fragments; every name and value from a definition goes through here.</summary>
internal static class CheckSql
{
    public static string Table(CheckDefinition c) => $"{PgIdentifiers.QuoteIdentifier(c.Schema)}.{PgIdentifiers.QuoteIdentifier(c.Table)}";

    public static string RefTable(CheckDefinition c) =>
        $"{PgIdentifiers.QuoteIdentifier(c.RefSchema ?? c.Schema)}.{PgIdentifiers.QuoteIdentifier(c.RefTable ?? throw new ValidationException("ref_table is required"))}";

    public static string Id(string name) => PgIdentifiers.QuoteIdentifier(name);

    public static string Ids(IEnumerable<string> names, string? alias = null) =>
        string.Join(", ", names.Select(n => alias is null ? Id(n) : $"{alias}.{Id(n)}"));

    public static string AllNotNull(IEnumerable<string> names, string? alias = null) =>
        string.Join(" AND ", names.Select(n => (alias is null ? Id(n) : $"{alias}.{Id(n)}") + " IS NOT NULL"));

    public static string Literal(string value) => PgIdentifiers.QuoteLiteral(value);

    public static IReadOnlyList<string> RequireColumns(CheckDefinition c, int? exactly = null)
    {
        if (c.Columns.Count == 0 || (exactly is { } n && c.Columns.Count != n))
        {
            throw new ValidationException($"{c.Kind} on {c.QualifiedTable} needs {(exactly is { } m ? m.ToString(CultureInfo.InvariantCulture) : "at least one")} column(s).");
        }

        return c.Columns;
    }

    public static long Long(string? value) =>
        value is null ? 0 : long.Parse(value, NumberStyles.Integer, CultureInfo.InvariantCulture);

    /// <summary>A query-kind verdict: the failing count decides, the definition's severity says how bad.</summary>
    public static CheckVerdict ByFailing(CheckDefinition c, IReadOnlyList<string?> values, string what)
    {
        var failing = Long(values.Count > 0 ? values[0] : null);
        return failing == 0
            ? new CheckVerdict(CheckStatus.Pass, 0, null, 0)
            : new CheckVerdict(c.Severity == CheckStatus.Warn ? CheckStatus.Warn : CheckStatus.Fail, failing,
                $"{failing.ToString("N0", CultureInfo.InvariantCulture)} {what}", failing);
    }
}
