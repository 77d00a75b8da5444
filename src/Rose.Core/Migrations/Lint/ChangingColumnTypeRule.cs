namespace Rose.Core.Migrations.Lint;

/// <summary>
/// ALTER COLUMN ... TYPE rewrites the table (and its indexes) under an ACCESS EXCLUSIVE lock for
/// most type changes; only a few binary-compatible ones (varchar(n) to text, widening varchar) skip it.
/// </summary>
public sealed class ChangingColumnTypeRule() : LintRule(
    "changing-column-type",
    LintSeverity.Warning,
    "ALTER COLUMN ... TYPE rewrites the table and its indexes under an ACCESS EXCLUSIVE lock (unless the change is binary compatible).",
    ["changing-column-type"])
{
    public override IEnumerable<LintFinding> Check(IReadOnlyList<LintStatement> migration, LintContext context)
    {
        foreach (var s in migration)
        {
            foreach (var cmd in LintTree.AlterCommands(s, "AT_AlterColumnType"))
            {
                yield return Finding(s,
                    $"Changing the type of {LintTree.Relation(s.Body)}.{LintTree.Str(cmd, "name")} may rewrite the table and its indexes while reads and writes wait.",
                    "Add a new column, backfill it in batches, and switch readers over; or confirm the change is binary compatible.");
            }
        }
    }
}
