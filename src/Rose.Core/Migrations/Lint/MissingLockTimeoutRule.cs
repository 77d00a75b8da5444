namespace Rose.Core.Migrations.Lint;

/// <summary>
/// DDL waiting for a lock queues every later query on the table behind it; a migration should set
/// its own lock_timeout before its first DDL so it fails fast instead. (Rose also sets the target's
/// lock_timeout on every run; this asks the file to say what it needs.)
/// </summary>
public sealed class MissingLockTimeoutRule : IMigrationLintRule
{
    public string Id => "require-lock-timeout";

    public IEnumerable<LintFinding> Check(IReadOnlyList<LintStatement> migration, LintContext context)
    {
        foreach (var s in migration)
        {
            if (s.Node == "VariableSetStmt" && LintTree.Str(s.Body, "name") == "lock_timeout")
            {
                yield break;
            }

            if (s.Statement.Kind == Sql.StatementKind.Ddl)
            {
                yield return new LintFinding(Id, LintSeverity.Warning, s.Statement.Index,
                    "The migration runs DDL without setting lock_timeout first.",
                    "Start the migration with SET lock_timeout = '5s' (Rose's target default applies otherwise).");
                yield break;
            }
        }
    }
}
