namespace Rose.Core.Migrations.Lint;

/// <summary>
/// UPDATE or DELETE without WHERE in a migration touches every row in one transaction: it holds a
/// row lock on each, writes a new version of each (UPDATE), bloats the table and the WAL, and
/// stalls replicas. Backfills belong in batches.
/// </summary>
public sealed class BanUnbatchedDmlRule() : LintRule(
    "ban-unbatched-dml",
    LintSeverity.Warning,
    "UPDATE/DELETE without WHERE touches every row in one transaction; backfill in batches.")
{
    public override IEnumerable<LintFinding> Check(IReadOnlyList<LintStatement> migration, LintContext context)
    {
        foreach (var s in migration.Where(s => s.Statement.UnfilteredDml && s.Node is "UpdateStmt" or "DeleteStmt"))
        {
            var table = LintTree.Relation(s.Body);
            var severity = context.IsBig(table) ? LintSeverity.Error : Severity;
            yield return Finding(s, $"{s.Statement.Tag} without WHERE locks and writes every row of {table} in one transaction.",
                s.Node == "DeleteStmt" ? "Use TRUNCATE if the table should be empty, or delete in batches by key range." : "Update in batches by key range (e.g. 10,000 rows per transaction).",
                severity: severity);
        }
    }
}
