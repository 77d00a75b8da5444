namespace Rose.Core.Migrations.Lint;

/// <summary>CLUSTER rewrites the table in index order while holding ACCESS EXCLUSIVE.</summary>
public sealed class BanClusterRule : LintRule
{
    public override string Id => "ban-cluster";

    public override LintSeverity Severity => LintSeverity.Error;

    public override string Description => "CLUSTER rewrites the table in index order while reads and writes wait (ACCESS EXCLUSIVE).";

    public override IReadOnlyList<string> Squawk => ["prefer-repack"];

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
