namespace Rose.Core.Migrations.Lint;

/// <summary>Dropping a table loses its data and breaks every client still using it.</summary>
public sealed class BanDropTableRule() : LintRule(
    "ban-drop-table",
    LintSeverity.Error,
    "DROP TABLE loses data and breaks clients still using the table.",
    ["ban-drop-table"])
{
    public override IEnumerable<LintFinding> Check(IReadOnlyList<LintStatement> migration, LintContext context)
    {
        foreach (var s in migration.Where(s => s.Node == "DropStmt" && LintTree.Str(s.Body, "removeType") == "OBJECT_TABLE"))
        {
            var tables = string.Join(", ", s.Statement.Objects);
            yield return Finding(s, $"Dropping table {tables} loses its data.",
                "Rename it aside (or revoke access) and keep a snapshot until you are sure nothing uses it; drop it in a later migration.",
                table: s.Statement.Objects.FirstOrDefault());
        }
    }
}
