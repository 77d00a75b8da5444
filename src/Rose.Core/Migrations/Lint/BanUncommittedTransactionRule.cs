namespace Rose.Core.Migrations.Lint;

/// <summary>A BEGIN without COMMIT leaves the session in a transaction that holds every lock taken so far.</summary>
public sealed class BanUncommittedTransactionRule() : LintRule(
    "ban-uncommitted-transaction",
    LintSeverity.Error,
    "BEGIN without a matching COMMIT leaves a transaction open, holding its locks.",
    ["ban-uncommitted-transaction"])
{
    public override IEnumerable<LintFinding> Check(IReadOnlyList<LintStatement> migration, LintContext context)
    {
        LintStatement? open = null;
        foreach (var s in migration.Where(s => s.Node == "TransactionStmt"))
        {
            switch (LintTree.Str(s.Body, "kind"))
            {
                case "TRANS_STMT_BEGIN" or "TRANS_STMT_START":
                    open = s;
                    break;
                case "TRANS_STMT_COMMIT" or "TRANS_STMT_ROLLBACK" or "TRANS_STMT_PREPARE":
                    open = null;
                    break;
            }
        }

        if (open is not null)
        {
            yield return Finding(open, "The transaction begun here is never committed: its locks stay held until the session ends.",
                "End the file with COMMIT.");
        }
    }
}
