namespace Rose.Core.Migrations.Reversibility;

/// <summary>
/// Which statements the reversibility check runs on its scratch database. The scratch database is
/// disposable, so a statement the policy would park for approval (DROP TABLE...) may run there, but
/// the server around it is not: anything that reaches beyond the one database (roles, databases,
/// tablespaces, server settings, files, programs, side-effecting functions) runs only when the caller's
/// policy allows it outright, exactly as an apply would. A policy denial is never overridden.
/// </summary>
internal static class ScratchSafety
{
    private static readonly HashSet<string> ServerWide = new(StringComparer.Ordinal)
    {
        "CREATE DATABASE", "ALTER DATABASE", "DROP DATABASE",
        "CREATE ROLE", "ALTER ROLE", "DROP ROLE", "DROP OWNED", "REASSIGN OWNED",
        "CREATE TABLESPACE", "ALTER TABLESPACE", "DROP TABLESPACE",
        "CREATE SUBSCRIPTION", "ALTER SUBSCRIPTION", "DROP SUBSCRIPTION",
        "ALTER SYSTEM", "LOAD", "CHECKPOINT",
        "SERVER PROGRAM", "SERVER FILE", "SET ROLE", "SET SESSION AUTHORIZATION",
    };

    /// <summary>Why the statement may not run on the scratch database, or null when it may.</summary>
    public static string? Refusal(SqlStatement statement, Decision decision, IReadOnlyList<string> reasons)
    {
        ArgumentNullException.ThrowIfNull(statement);
        if (!statement.IsParsed)
        {
            return $"statement {statement.Index + 1} does not parse: {statement.Error?.Message}";
        }

        if (statement.TransactionControl)
        {
            return $"statement {statement.Index + 1} ({statement.Tag}): a migration may not hold BEGIN/COMMIT/ROLLBACK; Rose runs each migration in its own transaction";
        }

        if (decision == Decision.Deny)
        {
            return $"statement {statement.Index + 1} ({statement.Tag}) is denied by your policy: {string.Join("; ", reasons)}";
        }

        if (decision == Decision.Approval && ReachesBeyondDatabase(statement))
        {
            return $"statement {statement.Index + 1} ({statement.Tag}) needs approval and reaches beyond one database, so it is not run even on a scratch copy";
        }

        return null;
    }

    public static bool ReachesBeyondDatabase(SqlStatement statement) =>
        statement.Node == "GrantRoleStmt"
        || statement.Operations.Any(o => ServerWide.Contains(o) || o.StartsWith(SqlOperations.FunctionPrefix, StringComparison.Ordinal));
}
