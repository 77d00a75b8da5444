namespace Rose.Core.Migrations.Lint;

/// <summary>
/// Adding a foreign key to an existing table validates every row while holding a SHARE ROW
/// EXCLUSIVE lock on both tables; NOT VALID then VALIDATE CONSTRAINT splits that into two cheap steps.
/// </summary>
public sealed class ForeignKeyWithoutNotValidRule : IMigrationLintRule
{
    public string Id => "adding-foreign-key-constraint";

    public IEnumerable<LintFinding> Check(IReadOnlyList<LintStatement> migration, LintContext context)
    {
        foreach (var s in migration)
        {
            foreach (var cmd in LintTree.AlterCommands(s).Where(c => LintTree.Str(c, "subtype") == "AT_AddConstraint"))
            {
                if (!cmd.TryGetProperty("def", out var def) || !def.TryGetProperty("Constraint", out var con))
                {
                    continue;
                }

                if (LintTree.Str(con, "contype") == "CONSTR_FOREIGN" && !LintTree.Flag(con, "skip_validation"))
                {
                    yield return new LintFinding(Id, LintSeverity.Warning, s.Statement.Index,
                        $"Foreign key {LintTree.Str(con, "conname") ?? "(unnamed)"} on {LintTree.Relation(s.Body)} is validated while both tables are locked.",
                        "Add it NOT VALID, then run ALTER TABLE ... VALIDATE CONSTRAINT in a separate migration.");
                }
            }
        }
    }
}
