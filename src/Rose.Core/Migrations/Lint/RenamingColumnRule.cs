namespace Rose.Core.Migrations.Lint;

/// <summary>Renaming a column breaks every client still using the old name, with no transition period.</summary>
public sealed class RenamingColumnRule() : StatementKindRule("RenameStmt",
    "renaming-column",
    LintSeverity.Warning,
    "RENAME COLUMN breaks clients still using the old name.",
    ["renaming-column"])
{
    protected override bool Applies(LintStatement s) =>
        LintTree.Str(s.Body, "renameType") == "OBJECT_COLUMN";

    protected override LintFinding? Flag(LintStatement s)
    {
        return Finding(s,
            $"Renaming column {LintTree.Relation(s.Body)}.{LintTree.Str(s.Body, "subname")} to {LintTree.Str(s.Body, "newname")} breaks clients that use the old name.",
            "Add the new column alongside (kept in sync), move clients, then drop the old one.");
    }
}
