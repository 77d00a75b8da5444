namespace Rose.Core.Migrations.Lint;

/// <summary>CLUSTER rewrites the table in index order while holding ACCESS EXCLUSIVE.</summary>
public sealed class BanClusterRule() : StatementKindRule("ClusterStmt",
    "ban-cluster",
    LintSeverity.Error,
    "CLUSTER rewrites the table in index order while reads and writes wait (ACCESS EXCLUSIVE).",
    ["prefer-repack"])
{
    protected override LintFinding? Flag(LintStatement s)
    {
        var table = LintTree.Relation(s.Body);
        return Finding(s, $"CLUSTER rewrites {table ?? "every previously clustered table"} while every read and write waits.",
            "Use pg_repack --order-by to reorder online, or accept the physical order.", TableImpact.Rewrite, table);
    }
}
