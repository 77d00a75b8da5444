namespace Rose.Core.Migrations.Lint;

/// <summary>ALTER COLUMN ... SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock unless a validated CHECK proves it.</summary>
public sealed class AddingNotNullableFieldRule() : LintRule(
    "adding-not-nullable-field",
    LintSeverity.Warning,
    "SET NOT NULL scans the whole table while reads and writes wait (ACCESS EXCLUSIVE).",
    ["adding-not-nullable-field"])
{
    public override IEnumerable<LintFinding> Check(IReadOnlyList<LintStatement> migration, LintContext context)
    {
        foreach (var s in migration)
        {
            foreach (var cmd in LintTree.AlterCommands(s, "AT_SetNotNull"))
            {
                yield return Finding(s,
                    $"SET NOT NULL on {LintTree.Relation(s.Body)}.{LintTree.Str(cmd, "name")} scans the table while reads and writes wait.",
                    "Add CHECK (col IS NOT NULL) NOT VALID, VALIDATE it in another migration, then SET NOT NULL (PostgreSQL 12+ skips the scan) and drop the CHECK.");
            }
        }
    }
}
