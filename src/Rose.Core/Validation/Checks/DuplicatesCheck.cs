namespace Rose.Core.Validation.Checks;

/// <summary>
/// No two rows share a key that should be unique (declared or chosen). The failing count is the
/// number of rows involved; the sample shows the most repeated keys with their copy counts.
/// Rows with a NULL in the key are left out, as a unique index would.
/// </summary>
public sealed class DuplicatesCheck : IDataCheckKind
{
    public string Kind => CheckKinds.Duplicates;

    public IReadOnlyList<string> Aggregates(CheckDefinition check) => [];

    public string? Query(CheckDefinition check)
    {
        var columns = CheckSql.RequireColumns(check);
        return $"""
            SELECT sum(d.rose_copies) OVER ()::bigint AS rose_failing, d.*
            FROM (SELECT {CheckSql.Ids(columns)}, count(*) AS rose_copies FROM {CheckSql.Table(check)}
                  WHERE {CheckSql.AllNotNull(columns)} GROUP BY {CheckSql.Ids(columns)} HAVING count(*) > 1) AS d
            ORDER BY d.rose_copies DESC, {CheckSql.Ids(columns, "d")}
            LIMIT {SampleRows.MaxRows}
            """;
    }

    public string? SampleQuery(CheckDefinition check) => null;

    public CheckVerdict Evaluate(CheckDefinition check, IReadOnlyList<string?> values, CheckContext context) =>
        CheckSql.ByFailing(check, values, "rows share a key with another row");
}
