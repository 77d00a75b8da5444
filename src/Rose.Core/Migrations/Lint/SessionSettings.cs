namespace Rose.Core.Migrations.Lint;

/// <summary>Shared logic of the timeout rules: the first statement that waits on a table lock, unless a SET came first.</summary>
internal static class SessionSettings
{
    public static bool IsSet(LintStatement s, string setting) =>
        s.Node == "VariableSetStmt" && string.Equals(LintTree.Str(s.Body, "name"), setting, StringComparison.OrdinalIgnoreCase);

    /// <summary>Statements that queue behind (and then in front of) other sessions' locks on an existing table.</summary>
    public static bool TakesTableLock(LintStatement s) =>
        s.Node is not ("InsertStmt" or "UpdateStmt" or "DeleteStmt" or "MergeStmt" or "SelectStmt" or "CommentStmt")
        && StatementLocks.Rank(StatementLocks.Of(s).Mode) >= StatementLocks.Rank(StatementLocks.ShareUpdateExclusive);

    public static LintStatement? FirstLockWithout(IReadOnlyList<LintStatement> migration, string setting)
    {
        foreach (var s in migration)
        {
            if (IsSet(s, setting))
            {
                return null;
            }

            if (TakesTableLock(s))
            {
                return s;
            }
        }

        return null;
    }
}
