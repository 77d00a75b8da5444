namespace Rose.Core.Migrations.Lint;

/// <summary>Dropping a table loses its data and breaks every client still using it.</summary>
public sealed class BanDropTableRule() : StatementKindRule("DropStmt",
    "ban-drop-table",
    LintSeverity.Error,
    "DROP TABLE loses data and breaks clients still using the table.",
    ["ban-drop-table"])
{
    protected override bool Applies(LintStatement s) =>
        LintTree.Str(s.Body, "removeType") == "OBJECT_TABLE";

    protected override LintFinding? Flag(LintStatement s)
    {
        var tables = string.Join(", ", s.Statement.Objects);
        return Finding(s, $"Dropping table {tables} loses its data.",
            "Rename it aside (or revoke access) and keep a snapshot until you are sure nothing uses it; drop it in a later migration.",
            table: s.Statement.Objects.FirstOrDefault());
    }
}
