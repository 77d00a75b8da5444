namespace Rose.Core.Migrations.Lint;

/// <summary>
/// ADD COLUMN ... NOT NULL without a DEFAULT fails on any table that has rows; SET NOT NULL scans
/// the whole table under an ACCESS EXCLUSIVE lock.
/// </summary>
public sealed class NotNullWithoutDefaultRule : IMigrationLintRule
{
    public string Id => "adding-not-nullable-field";

    public IEnumerable<LintFinding> Check(IReadOnlyList<LintStatement> migration, LintContext context)
    {
        foreach (var s in migration)
        {
            foreach (var cmd in LintTree.AlterCommands(s))
            {
                var subtype = LintTree.Str(cmd, "subtype");
                if (subtype == "AT_AddColumn" && LintTree.ColumnDef(cmd) is { } col)
                {
                    var constraints = LintTree.ColumnConstraints(col).Select(c => LintTree.Str(c, "contype")).ToList();
                    if (constraints.Contains("CONSTR_NOTNULL") && !constraints.Contains("CONSTR_DEFAULT"))
                    {
                        yield return new LintFinding(Id, LintSeverity.Error, s.Statement.Index,
                            $"Column {LintTree.Str(col, "colname")} is added as NOT NULL without a DEFAULT: it fails when {LintTree.Relation(s.Body)} has rows.",
                            "Add a DEFAULT, or add the column nullable, backfill, then add a CHECK (... IS NOT NULL) NOT VALID and validate it.");
                    }
                }
                else if (subtype == "AT_SetNotNull")
                {
                    yield return new LintFinding(Id, LintSeverity.Warning, s.Statement.Index,
                        $"SET NOT NULL on {LintTree.Relation(s.Body)}.{LintTree.Str(cmd, "name")} scans the table under an ACCESS EXCLUSIVE lock.",
                        "Add a CHECK (col IS NOT NULL) NOT VALID constraint, VALIDATE it, then SET NOT NULL (PostgreSQL 12+ skips the scan).");
                }
            }
        }
    }
}
