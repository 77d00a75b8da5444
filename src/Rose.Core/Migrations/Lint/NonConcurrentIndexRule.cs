namespace Rose.Core.Migrations.Lint;

/// <summary>
/// CREATE INDEX without CONCURRENTLY takes a SHARE lock that blocks every write to the table for the
/// whole build; on a big table (catalog estimate) that is an outage.
/// </summary>
public sealed class NonConcurrentIndexRule : IMigrationLintRule
{
    public string Id => "require-concurrent-index-creation";

    public IEnumerable<LintFinding> Check(IReadOnlyList<LintStatement> migration, LintContext context)
    {
        foreach (var s in migration.Where(s => s.Node == "IndexStmt" && !LintTree.Flag(s.Body, "concurrent")))
        {
            var table = LintTree.Relation(s.Body);
            if (table is null)
            {
                continue;
            }

            var rows = context.EstimatedRows(table);
            if (rows is { } n && n >= context.BigTableRows)
            {
                yield return new LintFinding(Id, LintSeverity.Error, s.Statement.Index,
                    $"CREATE INDEX on {table} (about {n:N0} rows) blocks writes for the whole build.",
                    "Use CREATE INDEX CONCURRENTLY in a migration of its own.");
            }
        }
    }
}
