namespace Rose.Core.Migrations.Lint;

/// <summary>TRUNCATE ... CASCADE empties every table that references the truncated one, transitively.</summary>
public sealed class BanTruncateCascadeRule() : LintRule(
    "ban-truncate-cascade",
    LintSeverity.Error,
    "TRUNCATE ... CASCADE also empties every table with a foreign key to it.",
    ["ban-truncate-cascade"])
{
    public override IEnumerable<LintFinding> Check(IReadOnlyList<LintStatement> migration, LintContext context)
    {
        foreach (var s in migration.Where(s => s.Node == "TruncateStmt" && LintTree.Str(s.Body, "behavior") == "DROP_CASCADE"))
        {
            yield return Finding(s,
                $"TRUNCATE {string.Join(", ", s.Statement.Objects)} CASCADE also empties every table that references it, under ACCESS EXCLUSIVE locks.",
                "Truncate the tables you mean by name, without CASCADE.", table: s.Statement.Objects.FirstOrDefault());
        }
    }
}
