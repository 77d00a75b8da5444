namespace Rose.Core.Migrations.Lint;

/// <summary>DROP INDEX without CONCURRENTLY takes ACCESS EXCLUSIVE on the table, queueing every read behind it.</summary>
public sealed class RequireConcurrentIndexDeletionRule() : StatementKindRule("DropStmt",
    "require-concurrent-index-deletion",
    LintSeverity.Warning,
    "DROP INDEX without CONCURRENTLY blocks reads and writes on the table (ACCESS EXCLUSIVE).",
    ["require-concurrent-index-deletion"])
{
    protected override bool Applies(LintStatement s) =>
        LintTree.Str(s.Body, "removeType") == "OBJECT_INDEX" && !LintTree.Flag(s.Body, "concurrent");

    protected override LintFinding? Flag(LintStatement s)
    {
        return Finding(s, $"DROP INDEX {string.Join(", ", s.Statement.Objects)} waits for and then blocks every query on its table.",
            "Use DROP INDEX CONCURRENTLY in a migration of its own.", table: s.Statement.Objects.FirstOrDefault());
    }
}
