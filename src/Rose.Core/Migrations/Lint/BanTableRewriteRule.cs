namespace Rose.Core.Migrations.Lint;

/// <summary>
/// Statements that copy a whole table (or materialized view) while holding ACCESS EXCLUSIVE and
/// that no other rule covers: SET TABLESPACE, SET ACCESS METHOD, REFRESH MATERIALIZED VIEW without
/// CONCURRENTLY.
/// </summary>
public sealed class BanTableRewriteRule() : LintRule(
    "ban-table-rewrite",
    LintSeverity.Warning,
    "SET TABLESPACE, SET ACCESS METHOD and REFRESH MATERIALIZED VIEW (not CONCURRENTLY) copy the whole relation under ACCESS EXCLUSIVE.")
{
    public override IEnumerable<LintFinding> Check(IReadOnlyList<LintStatement> migration, LintContext context)
    {
        foreach (var s in migration)
        {
            foreach (var cmd in LintTree.AlterCommands(s).Where(c => LintTree.Str(c, "subtype") is "AT_SetTableSpace" or "AT_SetAccessMethod"))
            {
                var what = LintTree.Str(cmd, "subtype") == "AT_SetTableSpace" ? "SET TABLESPACE" : "SET ACCESS METHOD";
                yield return Finding(s, $"{what} copies all of {LintTree.Relation(s.Body)} while every read and write waits.",
                    "Create the new table where and how you want it, copy in batches, then swap names in a short transaction.", TableImpact.Rewrite);
            }

            if (s.Node == "RefreshMatViewStmt" && !LintTree.Flag(s.Body, "concurrent"))
            {
                yield return Finding(s, $"REFRESH MATERIALIZED VIEW {LintTree.Relation(s.Body)} rebuilds it while every read of it waits.",
                    "Give the view a unique index and use REFRESH MATERIALIZED VIEW CONCURRENTLY.", TableImpact.Rewrite);
            }
        }
    }
}
