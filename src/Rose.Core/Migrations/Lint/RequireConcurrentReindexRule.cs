namespace Rose.Core.Migrations.Lint;

/// <summary>REINDEX without CONCURRENTLY blocks writes to the table and reads that would use the index while it rebuilds.</summary>
public sealed class RequireConcurrentReindexRule() : StatementKindRule("ReindexStmt",
    "require-concurrent-reindex",
    LintSeverity.Warning,
    "REINDEX without CONCURRENTLY blocks writes, and reads using the index, during the rebuild.",
    ["require-concurrent-reindex"])
{
    protected override bool Applies(LintStatement s) =>
        !StatementLocks.IsConcurrentReindex(s.Body);

    protected override LintFinding? Flag(LintStatement s)
    {
        return Finding(s, $"REINDEX {LintTree.Relation(s.Body) ?? LintTree.Str(s.Body, "name")} rebuilds while writes (and reads using the index) wait.",
            "Use REINDEX ... CONCURRENTLY (PostgreSQL 12+), outside a transaction.");
    }
}
