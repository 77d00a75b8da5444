namespace Rose.Core.Migrations.Lint;

/// <summary>PostgreSQL refuses CREATE INDEX CONCURRENTLY (and the other CONCURRENTLY forms) inside a transaction block.</summary>
public sealed class BanConcurrentIndexCreationInTransactionRule() : LintRule(
    "ban-concurrent-index-creation-in-transaction",
    LintSeverity.Error,
    "CREATE/DROP/REINDEX ... CONCURRENTLY inside a transaction block fails.",
    ["ban-concurrent-index-creation-in-transaction"])
{
    public override IEnumerable<LintFinding> Check(IReadOnlyList<LintStatement> migration, LintContext context)
    {
        foreach (var s in migration.Where(s => s.InTransaction))
        {
            var concurrent = s.Node switch
            {
                "IndexStmt" or "DropStmt" => LintTree.Flag(s.Body, "concurrent"),
                "ReindexStmt" => StatementLocks.IsConcurrentReindex(s.Body),
                _ => false,
            };
            if (concurrent)
            {
                yield return Finding(s,
                    $"{s.Statement.Tag} CONCURRENTLY runs inside a transaction block, where PostgreSQL refuses it.",
                    "Put the CONCURRENTLY statement in a migration of its own, outside BEGIN ... COMMIT (Rose runs such files statement by statement).");
            }
        }
    }
}
