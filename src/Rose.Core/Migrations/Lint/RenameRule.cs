namespace Rose.Core.Migrations.Lint;

/// <summary>Renaming a table or column breaks every client still using the old name, with no transition period.</summary>
public sealed class RenameRule : IMigrationLintRule
{
    public string Id => "renaming-column-or-table";

    public IEnumerable<LintFinding> Check(IReadOnlyList<LintStatement> migration, LintContext context)
    {
        foreach (var s in migration.Where(s => s.Node == "RenameStmt"))
        {
            var what = LintTree.Str(s.Body, "renameType");
            if (what is not ("OBJECT_COLUMN" or "OBJECT_TABLE"))
            {
                continue;
            }

            var target = what == "OBJECT_COLUMN"
                ? $"column {LintTree.Relation(s.Body)}.{LintTree.Str(s.Body, "subname")}"
                : $"table {LintTree.Relation(s.Body)}";
            yield return new LintFinding(Id, LintSeverity.Warning, s.Statement.Index,
                $"Renaming {target} to {LintTree.Str(s.Body, "newname")} breaks clients that use the old name.",
                "Add the new name alongside (a view or a new column), move clients, then remove the old name.");
        }
    }
}
