namespace Rose.Core.Migrations.Lint;

/// <summary>
/// A migration that is not wrapped in a transaction and fails part way must be re-runnable:
/// CREATE ... IF NOT EXISTS, DROP ... IF EXISTS, ADD COLUMN IF NOT EXISTS, and a DROP CONSTRAINT IF
/// EXISTS before ADD CONSTRAINT. Statements inside an explicit BEGIN ... COMMIT are rolled back
/// whole and need none of it.
/// </summary>
public sealed class PreferRobustStmtsRule() : LintRule(
    "prefer-robust-stmts",
    LintSeverity.Info,
    "Outside a transaction, DDL without IF [NOT] EXISTS fails when a half-applied migration is re-run.",
    ["prefer-robust-stmts"])
{
    public override IEnumerable<LintFinding> Check(IReadOnlyList<LintStatement> migration, LintContext context)
    {
        var droppedConstraints = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var s in migration)
        {
            foreach (var cmd in LintTree.AlterCommands(s, "AT_DropConstraint").Where(c => LintTree.Flag(c, "missing_ok")))
            {
                droppedConstraints.Add(LintTree.Str(cmd, "name") ?? "");
            }

            if ((s.InTransaction && !s.Statement.NoTransaction) || Problem(s, droppedConstraints) is not { } problem)
            {
                continue;
            }

            yield return Finding(s, $"{problem}: the migration cannot be re-run if it fails part way through.",
                "Use IF [NOT] EXISTS (DROP CONSTRAINT IF EXISTS before ADD CONSTRAINT), or wrap the file in a transaction.");
        }
    }

    private static string? Problem(LintStatement s, HashSet<string> droppedConstraints)
    {
        switch (s.Node)
        {
            case "CreateStmt" or "IndexStmt" or "CreateSeqStmt" or "CreateSchemaStmt" or "CreateExtensionStmt" when !LintTree.Flag(s.Body, "if_not_exists"):
                return $"{s.Statement.Tag} without IF NOT EXISTS";
            case "CreateTableAsStmt" when !LintTree.Flag(s.Body, "if_not_exists"):
                return $"{s.Statement.Tag} without IF NOT EXISTS";
            case "DropStmt" when !LintTree.Flag(s.Body, "missing_ok"):
                return $"{s.Statement.Tag} without IF EXISTS";
            case "RenameStmt" when LintTree.Str(s.Body, "renameType") is "OBJECT_TABLE" or "OBJECT_COLUMN" or "OBJECT_TABCONSTRAINT" or "OBJECT_INDEX":
                return $"{s.Statement.Tag} ... RENAME (fails once the old name is gone)";
        }

        foreach (var cmd in LintTree.AlterCommands(s))
        {
            var subtype = LintTree.Str(cmd, "subtype");
            var problem = subtype switch
            {
                "AT_AddColumn" => LintTree.Flag(cmd, "missing_ok") ? null : "ADD COLUMN without IF NOT EXISTS",
                "AT_DropColumn" => LintTree.Flag(cmd, "missing_ok") ? null : "DROP COLUMN without IF EXISTS",
                "AT_DropConstraint" => LintTree.Flag(cmd, "missing_ok") ? null : "DROP CONSTRAINT without IF EXISTS",
                "AT_AddConstraint" => LintTree.AddedConstraint(cmd) is { } con && droppedConstraints.Contains(LintTree.Str(con, "conname") ?? "\0")
                    ? null
                    : "ADD CONSTRAINT without a DROP CONSTRAINT IF EXISTS before it",
                _ => $"ALTER TABLE ({subtype?.Replace("AT_", "", StringComparison.Ordinal)}) outside a transaction",
            };
            if (problem is not null)
            {
                return problem;
            }
        }

        return null;
    }
}
