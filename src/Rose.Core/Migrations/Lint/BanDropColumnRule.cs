namespace Rose.Core.Migrations.Lint;

/// <summary>Dropping a column loses its data and breaks every reader still selecting it.</summary>
public sealed class BanDropColumnRule() : LintRule(
    "ban-drop-column",
    LintSeverity.Error,
    "DROP COLUMN loses data and breaks clients still reading the column.",
    ["ban-drop-column"])
{
    public override IEnumerable<LintFinding> Check(IReadOnlyList<LintStatement> migration, LintContext context)
    {
        foreach (var s in migration)
        {
            foreach (var cmd in LintTree.AlterCommands(s, "AT_DropColumn"))
            {
                yield return Finding(s,
                    $"Dropping column {LintTree.Relation(s.Body)}.{LintTree.Str(cmd, "name")} loses its data and breaks code that still reads it.",
                    "Stop using the column in a release first; keep a snapshot; drop it in a later migration.");
            }
        }
    }
}
