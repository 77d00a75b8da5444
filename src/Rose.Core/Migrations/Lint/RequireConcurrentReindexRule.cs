namespace Rose.Core.Migrations.Lint;

/// <summary>REINDEX without CONCURRENTLY blocks writes to the table and reads that would use the index while it rebuilds.</summary>
public sealed class RequireConcurrentReindexRule() : LintRule(
    "require-concurrent-reindex",
    LintSeverity.Warning,
    "REINDEX without CONCURRENTLY blocks writes, and reads using the index, during the rebuild.",
    ["require-concurrent-reindex"])
{
    public override IEnumerable<LintFinding> Check(IReadOnlyList<LintStatement> migration, LintContext context)
    {
        foreach (var s in migration.Where(s => s.Node == "ReindexStmt" && !StatementLocks.IsConcurrentReindex(s.Body)))
        {
            yield return Finding(s, $"REINDEX {LintTree.Relation(s.Body) ?? LintTree.Str(s.Body, "name")} rebuilds while writes (and reads using the index) wait.",
                "Use REINDEX ... CONCURRENTLY (PostgreSQL 12+), outside a transaction.");
        }
    }
}
