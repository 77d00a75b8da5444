namespace Rose.Core.Migrations.Lint;

/// <summary>DETACH PARTITION without CONCURRENTLY takes ACCESS EXCLUSIVE on the partitioned table (PostgreSQL 14+ has CONCURRENTLY).</summary>
public sealed class RequireConcurrentPartitionDetachRule() : LintRule(
    "require-concurrent-partition-detach",
    LintSeverity.Warning,
    "DETACH PARTITION without CONCURRENTLY blocks reads and writes on the parent (ACCESS EXCLUSIVE).",
    ["require-concurrent-partition-detach"])
{
    public override IEnumerable<LintFinding> Check(IReadOnlyList<LintStatement> migration, LintContext context)
    {
        foreach (var s in migration)
        {
            foreach (var cmd in LintTree.AlterCommands(s, "AT_DetachPartition"))
            {
                var partition = LintTree.Prop(LintTree.Prop(cmd, "def"), "PartitionCmd");
                if (!LintTree.Flag(partition, "concurrent"))
                {
                    yield return Finding(s, $"Detaching {LintTree.RangeVar(LintTree.Prop(partition, "name"))} blocks every query on {LintTree.Relation(s.Body)}.",
                        "Use DETACH PARTITION ... CONCURRENTLY (PostgreSQL 14+), outside a transaction.");
                }
            }
        }
    }
}
