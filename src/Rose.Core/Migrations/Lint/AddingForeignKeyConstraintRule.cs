namespace Rose.Core.Migrations.Lint;

/// <summary>
/// Adding a foreign key to an existing table validates every row while holding a SHARE ROW
/// EXCLUSIVE lock on both tables; NOT VALID then VALIDATE CONSTRAINT splits that into two cheap steps.
/// </summary>
public sealed class AddingForeignKeyConstraintRule() : LintRule(
    "adding-foreign-key-constraint",
    LintSeverity.Warning,
    "ADD FOREIGN KEY without NOT VALID scans the table while writes to both tables wait (SHARE ROW EXCLUSIVE).",
    ["adding-foreign-key-constraint", "constraint-missing-not-valid"])
{
    public override IEnumerable<LintFinding> Check(IReadOnlyList<LintStatement> migration, LintContext context)
    {
        foreach (var s in migration)
        {
            var created = LintTree.CreatedTables(migration, s.Statement.Index - 1);
            foreach (var con in LintTree.AlterCommands(s).Select(LintTree.AddedConstraint))
            {
                if (con is { } c && LintTree.Str(c, "contype") == "CONSTR_FOREIGN" && !LintTree.Flag(c, "skip_validation")
                    && !created.Contains(LintTree.Relation(s.Body) ?? ""))
                {
                    yield return Finding(s,
                        $"Foreign key {LintTree.Str(c, "conname") ?? "(unnamed)"} on {LintTree.Relation(s.Body)} is validated while writes to it and to {LintTree.RangeVar(LintTree.Prop(c, "pktable"))} wait.",
                        "Add it NOT VALID, then run ALTER TABLE ... VALIDATE CONSTRAINT in a separate migration (SHARE UPDATE EXCLUSIVE, writes continue).");
                }
            }
        }
    }
}
