namespace Rose.Core.Migrations.Lint;

/// <summary>DROP NOT NULL lets NULLs in that code written against the old schema does not expect.</summary>
public sealed class BanDropNotNullRule() : LintRule(
    "ban-drop-not-null",
    LintSeverity.Warning,
    "DROP NOT NULL lets NULLs reach clients that assume the column is always set.",
    ["ban-drop-not-null"])
{
    public override IEnumerable<LintFinding> Check(IReadOnlyList<LintStatement> migration, LintContext context)
    {
        foreach (var s in migration)
        {
            foreach (var cmd in LintTree.AlterCommands(s, "AT_DropNotNull"))
            {
                yield return Finding(s,
                    $"Dropping NOT NULL on {LintTree.Relation(s.Body)}.{LintTree.Str(cmd, "name")} lets NULLs reach clients that assume a value.",
                    "Make every reader handle NULL first, then drop the constraint.");
            }
        }
    }
}
