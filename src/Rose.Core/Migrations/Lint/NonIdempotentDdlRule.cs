namespace Rose.Core.Migrations.Lint;

/// <summary>
/// CREATE without IF NOT EXISTS, DROP without IF EXISTS and ADD COLUMN without IF NOT EXISTS fail
/// when re-run after a partial failure (notably after a CONCURRENTLY build that ran outside a transaction).
/// </summary>
public sealed class NonIdempotentDdlRule : IMigrationLintRule
{
    public string Id => "prefer-robust-stmts";

    public IEnumerable<LintFinding> Check(IReadOnlyList<LintStatement> migration, LintContext context)
    {
        foreach (var s in migration)
        {
            var problem = s.Node switch
            {
                "CreateStmt" or "IndexStmt" or "CreateSeqStmt" or "CreateSchemaStmt" when !LintTree.Flag(s.Body, "if_not_exists") && !LintTree.Flag(s.Body, "missing_ok")
                    => $"{s.Statement.Tag} without IF NOT EXISTS",
                "DropStmt" when !LintTree.Flag(s.Body, "missing_ok") => $"{s.Statement.Tag} without IF EXISTS",
                _ => null,
            };
            problem ??= LintTree.AlterCommands(s).Any(c => LintTree.Str(c, "subtype") == "AT_AddColumn" && !LintTree.Flag(c, "missing_ok"))
                ? "ADD COLUMN without IF NOT EXISTS"
                : null;
            if (problem is not null)
            {
                yield return new LintFinding(Id, LintSeverity.Info, s.Statement.Index,
                    $"{problem}: the statement fails if it is run again.",
                    "Use IF [NOT] EXISTS so a retried migration is harmless.");
            }
        }
    }
}
