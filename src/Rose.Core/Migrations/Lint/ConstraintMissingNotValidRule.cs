namespace Rose.Core.Migrations.Lint;

/// <summary>
/// ADD CONSTRAINT ... CHECK validates every existing row while holding ACCESS EXCLUSIVE; added
/// NOT VALID it is catalog-only, and VALIDATE CONSTRAINT later needs only SHARE UPDATE EXCLUSIVE.
/// </summary>
public sealed class ConstraintMissingNotValidRule() : LintRule(
    "constraint-missing-not-valid",
    LintSeverity.Warning,
    "ADD CONSTRAINT ... CHECK without NOT VALID (or VALIDATE in the same transaction) scans the table while reads and writes wait.",
    ["constraint-missing-not-valid"])
{
    public override IEnumerable<LintFinding> Check(IReadOnlyList<LintStatement> migration, LintContext context)
    {
        var addedNotValid = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var s in migration)
        {
            if (!s.InTransaction)
            {
                addedNotValid.Clear();
            }

            foreach (var cmd in LintTree.AlterCommands(s, "AT_ValidateConstraint").Where(c => addedNotValid.Contains(LintTree.Str(c, "name") ?? "")))
            {
                yield return Finding(s,
                    $"Constraint {LintTree.Str(cmd, "name")} is validated in the transaction that added it NOT VALID: the ADD's lock is held through the whole scan.",
                    "Commit the NOT VALID constraint first; VALIDATE CONSTRAINT in a later migration.", TableImpact.Scan);
            }

            foreach (var con in LintTree.AlterCommands(s).Select(LintTree.AddedConstraint).OfType<System.Text.Json.JsonElement>().Where(c => LintTree.Flag(c, "skip_validation")))
            {
                if (s.InTransaction && LintTree.Str(con, "conname") is { } added)
                {
                    addedNotValid.Add(added);
                }
            }

            var created = LintTree.CreatedTables(migration, s.Statement.Index - 1);
            foreach (var con in LintTree.AlterCommands(s).Select(LintTree.AddedConstraint))
            {
                if (con is { } c && LintTree.Str(c, "contype") == "CONSTR_CHECK" && !LintTree.Flag(c, "skip_validation")
                    && !created.Contains(LintTree.Relation(s.Body) ?? ""))
                {
                    yield return Finding(s,
                        $"Check constraint {LintTree.Str(c, "conname") ?? "(unnamed)"} is validated against every row of {LintTree.Relation(s.Body)} while reads and writes wait.",
                        "Add it NOT VALID, then ALTER TABLE ... VALIDATE CONSTRAINT in a separate migration (SHARE UPDATE EXCLUSIVE, writes continue).");
                }
            }
        }
    }
}
