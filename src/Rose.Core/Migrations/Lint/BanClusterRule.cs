namespace Rose.Core.Migrations.Lint;

/// <summary>CLUSTER rewrites the table in index order while holding ACCESS EXCLUSIVE.</summary>
public sealed class BanClusterRule() : LintRule(
    "ban-cluster",
    LintSeverity.Error,
    "CLUSTER rewrites the table in index order while reads and writes wait (ACCESS EXCLUSIVE).",
    ["prefer-repack"])
{
    public override IEnumerable<LintFinding> Check(IReadOnlyList<LintStatement> migration, LintContext context)
    {
        foreach (var s in migration.Where(s => s.Node == "ClusterStmt"))
        {
            var table = LintTree.Relation(s.Body);
            yield return Finding(s, $"CLUSTER rewrites {table ?? "every previously clustered table"} while every read and write waits.",
                "Use pg_repack --order-by to reorder online, or accept the physical order.", TableImpact.Rewrite, table);
        }
    }
}
