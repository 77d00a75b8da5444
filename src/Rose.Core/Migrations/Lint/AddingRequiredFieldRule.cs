namespace Rose.Core.Migrations.Lint;

/// <summary>ADD COLUMN ... NOT NULL without a DEFAULT fails outright on any table that has rows.</summary>
public sealed class AddingRequiredFieldRule() : LintRule(
    "adding-required-field",
    LintSeverity.Error,
    "ADD COLUMN ... NOT NULL without a DEFAULT fails on a table that has rows.",
    ["adding-required-field"])
{
    public override IEnumerable<LintFinding> Check(IReadOnlyList<LintStatement> migration, LintContext context)
    {
        foreach (var s in migration)
        {
            foreach (var cmd in LintTree.AlterCommands(s, "AT_AddColumn"))
            {
                if (LintTree.ColumnDef(cmd) is { } col && LintTree.HasConstraint(col, "CONSTR_NOTNULL")
                    && !LintTree.Constraints(col).Any(c => LintTree.Str(c, "contype") is "CONSTR_DEFAULT" or "CONSTR_GENERATED" or "CONSTR_IDENTITY"))
                {
                    yield return Finding(s,
                        $"Column {LintTree.Str(col, "colname")} is added as NOT NULL without a DEFAULT: the statement fails when {LintTree.Relation(s.Body)} has rows.",
                        "Add a constant DEFAULT, or add the column nullable, backfill, then add CHECK (... IS NOT NULL) NOT VALID and validate it.");
                }
            }
        }
    }
}
