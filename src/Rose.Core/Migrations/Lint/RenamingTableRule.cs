namespace Rose.Core.Migrations.Lint;

/// <summary>Renaming a table breaks every client still using the old name, with no transition period.</summary>
public sealed class RenamingTableRule() : StatementKindRule("RenameStmt",
    "renaming-table",
    LintSeverity.Warning,
    "RENAME TO on a table breaks clients still using the old name.",
    ["renaming-table"])
{
    protected override bool Applies(LintStatement s) =>
        LintTree.Str(s.Body, "renameType") == "OBJECT_TABLE";

    protected override LintFinding? Flag(LintStatement s)
    {
        return Finding(s,
            $"Renaming table {LintTree.Relation(s.Body)} to {LintTree.Str(s.Body, "newname")} breaks clients that use the old name.",
            "Rename, then create a view with the old name until every client has moved.");
    }
}
