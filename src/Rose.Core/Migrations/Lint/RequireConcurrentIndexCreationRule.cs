namespace Rose.Core.Migrations.Lint;

/// <summary>
/// CREATE INDEX without CONCURRENTLY takes a SHARE lock that blocks every write to the table for
/// the whole build. Indexes on tables the same migration creates are exempt (nobody writes them yet).
/// </summary>
public sealed class RequireConcurrentIndexCreationRule() : LintRule(
    "require-concurrent-index-creation",
    LintSeverity.Warning,
    "CREATE INDEX without CONCURRENTLY blocks writes for the whole build (SHARE); an error on a known big table.",
    ["require-concurrent-index-creation"])
{
    public override IEnumerable<LintFinding> Check(IReadOnlyList<LintStatement> migration, LintContext context)
    {
        foreach (var s in migration.Where(s => s.Node == "IndexStmt" && !LintTree.Flag(s.Body, "concurrent")))
        {
            var table = LintTree.Relation(s.Body);
            if (table is null || LintTree.CreatedTables(migration, s.Statement.Index - 1).Contains(table))
            {
                continue;
            }

            var rows = context.EstimatedRows(table);
            var severity = rows is null ? Severity : context.IsBig(table) ? LintSeverity.Error : LintSeverity.Info;
            yield return Finding(s,
                rows is { } n ? $"CREATE INDEX on {table} (about {n:N0} rows) blocks writes for the whole build." : $"CREATE INDEX on {table} blocks writes to it for the whole build.",
                "Use CREATE INDEX CONCURRENTLY in a migration of its own (outside a transaction).", severity: severity);
        }
    }
}
