namespace Rose.Core.Migrations.Lint;

/// <summary>
/// ALTER COLUMN ... TYPE rewrites the table (and its indexes) under an ACCESS EXCLUSIVE lock for
/// most type changes; only a few binary-compatible ones (varchar(n) to text, widening varchar) skip it.
/// </summary>
public sealed class ColumnTypeChangeRule : IMigrationLintRule
{
    public string Id => "changing-column-type";

    public IEnumerable<LintFinding> Check(IReadOnlyList<LintStatement> migration, LintContext context)
    {
        foreach (var s in migration)
        {
            foreach (var cmd in LintTree.AlterCommands(s).Where(c => LintTree.Str(c, "subtype") == "AT_AlterColumnType"))
            {
                yield return new LintFinding(Id, LintSeverity.Warning, s.Statement.Index,
                    $"Changing the type of {LintTree.Relation(s.Body)}.{LintTree.Str(cmd, "name")} may rewrite the table and its indexes under an ACCESS EXCLUSIVE lock.",
                    "Add a new column, backfill it in batches, and switch readers over; or confirm the change is binary compatible.");
            }
        }
    }
}
