namespace Rose.Core.Validation.Checks;

/// <summary>
/// Referencing values with no parent row. Needed for foreign keys declared NOT VALID (existing
/// rows were never checked), for "soft" keys with no constraint at all, and for loads that ran
/// with triggers off. Rows with a NULL in the key are skipped, as MATCH SIMPLE does.
/// </summary>
public sealed class OrphansCheck : IDataCheckKind
{
    public string Kind => CheckKinds.Orphans;

    public IReadOnlyList<string> Aggregates(CheckDefinition check) => [];

    public string? Query(CheckDefinition check)
    {
        var columns = CheckSql.RequireColumns(check);
        var refColumns = check.RefColumns.Count == 0 ? ["id"] : check.RefColumns;
        if (refColumns.Count != columns.Count)
        {
            throw new ValidationException($"orphans on {check.QualifiedTable}: {columns.Count} column(s) but {refColumns.Count} referenced column(s).");
        }

        var join = string.Join(" AND ", columns.Select((c, i) => $"p.{CheckSql.Id(refColumns[i])} = c.{CheckSql.Id(c)}"));
        return $"""
            SELECT count(*) OVER () AS rose_failing, c.*
            FROM {CheckSql.Table(check)} AS c
            WHERE {CheckSql.AllNotNull(columns, "c")}
              AND NOT EXISTS (SELECT 1 FROM {CheckSql.RefTable(check)} AS p WHERE {join})
            LIMIT {SampleRows.MaxRows}
            """;
    }

    public string? SampleQuery(CheckDefinition check) => null;

    public CheckVerdict Evaluate(CheckDefinition check, IReadOnlyList<string?> values, CheckContext context) =>
        CheckSql.ByFailing(check, values, "rows point at a missing parent");
}
