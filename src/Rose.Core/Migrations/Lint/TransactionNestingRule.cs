namespace Rose.Core.Migrations.Lint;

/// <summary>BEGIN inside an open transaction is a no-op with a warning, and its COMMIT ends the outer transaction early.</summary>
public sealed class TransactionNestingRule() : LintRule(
    "transaction-nesting",
    LintSeverity.Error,
    "BEGIN inside an open transaction: the inner COMMIT commits the outer transaction early.",
    ["transaction-nesting"])
{
    public override IEnumerable<LintFinding> Check(IReadOnlyList<LintStatement> migration, LintContext context)
    {
        foreach (var s in migration.Where(s => s.InTransaction && s.Node == "TransactionStmt"
            && LintTree.Str(s.Body, "kind") is "TRANS_STMT_BEGIN" or "TRANS_STMT_START"))
        {
            yield return Finding(s, "BEGIN inside an open transaction does nothing, and the next COMMIT ends the outer transaction.",
                "Use one BEGIN ... COMMIT per file (or none when the migration tool wraps the file), and SAVEPOINT for nesting.");
        }
    }
}
