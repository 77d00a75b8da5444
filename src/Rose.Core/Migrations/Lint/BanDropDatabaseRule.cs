namespace Rose.Core.Migrations.Lint;

/// <summary>DROP DATABASE in a migration destroys everything in it; it never belongs in a schema change.</summary>
public sealed class BanDropDatabaseRule() : StatementKindRule("DropdbStmt",
    "ban-drop-database",
    LintSeverity.Error,
    "DROP DATABASE destroys a whole database.",
    ["ban-drop-database"])
{
    protected override LintFinding? Flag(LintStatement s)
    {
        var name = LintTree.Str(s.Body, "dbname");
        return Finding(s, $"DROP DATABASE {name} destroys the whole database.",
            "Drop databases by hand after a backup, never from a migration.", table: name);
    }
}
