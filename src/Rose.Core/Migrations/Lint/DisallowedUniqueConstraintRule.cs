namespace Rose.Core.Migrations.Lint;

/// <summary>ADD UNIQUE builds its index while holding ACCESS EXCLUSIVE; a concurrent index plus USING INDEX does not.</summary>
public sealed class DisallowedUniqueConstraintRule() : LintRule(
    "disallowed-unique-constraint",
    LintSeverity.Warning,
    "ADD UNIQUE builds an index while reads and writes wait (ACCESS EXCLUSIVE).",
    ["disallowed-unique-constraint", "constraint-missing-not-valid"])
{
    public override IEnumerable<LintFinding> Check(IReadOnlyList<LintStatement> migration, LintContext context)
    {
        foreach (var s in migration)
        {
            var created = LintTree.CreatedTables(migration, s.Statement.Index - 1);
            if (created.Contains(LintTree.Relation(s.Body) ?? ""))
            {
                continue;
            }

            var unique = LintTree.AlterCommands(s).Any(cmd =>
                (LintTree.AddedConstraint(cmd) is { } con && LintTree.Str(con, "contype") == "CONSTR_UNIQUE" && LintTree.Str(con, "indexname") is null)
                || (LintTree.Str(cmd, "subtype") == "AT_AddColumn" && LintTree.ColumnDef(cmd) is { } col && LintTree.HasConstraint(col, "CONSTR_UNIQUE")));
            if (unique)
            {
                yield return Finding(s, $"Adding a UNIQUE constraint to {LintTree.Relation(s.Body)} builds its index while reads and writes wait.",
                    "CREATE UNIQUE INDEX CONCURRENTLY, then ALTER TABLE ... ADD CONSTRAINT ... UNIQUE USING INDEX.", TableImpact.Scan);
            }
        }
    }
}
