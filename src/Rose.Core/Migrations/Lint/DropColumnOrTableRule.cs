namespace Rose.Core.Migrations.Lint;

/// <summary>Dropping a column or a table loses data and breaks every reader still using it.</summary>
public sealed class DropColumnOrTableRule : IMigrationLintRule
{
    public string Id => "ban-drop-column-or-table";

    public IEnumerable<LintFinding> Check(IReadOnlyList<LintStatement> migration, LintContext context)
    {
        foreach (var s in migration)
        {
            foreach (var cmd in LintTree.AlterCommands(s).Where(c => LintTree.Str(c, "subtype") == "AT_DropColumn"))
            {
                yield return new LintFinding(Id, LintSeverity.Error, s.Statement.Index,
                    $"Dropping column {LintTree.Relation(s.Body)}.{LintTree.Str(cmd, "name")} loses its data and breaks code that still reads it.",
                    "Stop using the column in a release first; keep a snapshot; drop it in a later migration.");
            }

            if (s.Node == "DropStmt" && LintTree.Str(s.Body, "removeType") == "OBJECT_TABLE")
            {
                yield return new LintFinding(Id, LintSeverity.Error, s.Statement.Index,
                    $"Dropping table {string.Join(", ", s.Statement.Objects)} loses its data.",
                    "Rename it aside or keep a snapshot until you are sure nothing uses it.");
            }
        }
    }
}
