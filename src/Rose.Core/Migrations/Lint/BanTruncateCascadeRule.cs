namespace Rose.Core.Migrations.Lint;

/// <summary>TRUNCATE ... CASCADE empties every table that references the truncated one, transitively.</summary>
public sealed class BanTruncateCascadeRule() : StatementKindRule("TruncateStmt",
    "ban-truncate-cascade",
    LintSeverity.Error,
    "TRUNCATE ... CASCADE also empties every table with a foreign key to it.",
    ["ban-truncate-cascade"])
{
    protected override bool Applies(LintStatement s) =>
        LintTree.Str(s.Body, "behavior") == "DROP_CASCADE";

    protected override LintFinding? Flag(LintStatement s)
    {
        return Finding(s,
            $"TRUNCATE {string.Join(", ", s.Statement.Objects)} CASCADE also empties every table that references it, under ACCESS EXCLUSIVE locks.",
            "Truncate the tables you mean by name, without CASCADE.", table: s.Statement.Objects.FirstOrDefault());
    }
}
