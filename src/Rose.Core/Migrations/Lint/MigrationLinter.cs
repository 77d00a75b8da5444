using Rose.Core.Sql;

namespace Rose.Core.Migrations.Lint;

/// <summary>The one place lint rules are registered, and the driver that runs them over a migration.</summary>
public static class MigrationLinter
{
    public static IReadOnlyList<IMigrationLintRule> Rules { get; } =
    [
        new NonConcurrentIndexRule(),
        new NotNullWithoutDefaultRule(),
        new VolatileDefaultRule(),
        new ColumnTypeChangeRule(),
        new DropColumnOrTableRule(),
        new RenameRule(),
        new ForeignKeyWithoutNotValidRule(),
        new MissingLockTimeoutRule(),
        new NonIdempotentDdlRule(),
    ];

    /// <summary>Lints the parsed statements of one migration; unparseable statements are the planner's business, not lint's.</summary>
    public static IReadOnlyList<LintFinding> Lint(IReadOnlyList<SqlStatement> statements, LintContext context)
    {
        ArgumentNullException.ThrowIfNull(statements);
        ArgumentNullException.ThrowIfNull(context);
        var trees = new List<ParsedStatementTree>();
        try
        {
            var lintStatements = new List<LintStatement>();
            foreach (var statement in statements.Where(s => s.IsParsed))
            {
                var tree = SqlParseTree.Parse(statement.Text);
                if (tree is null)
                {
                    continue;
                }

                trees.Add(tree);
                lintStatements.Add(new LintStatement(statement, tree.Node, tree.Body));
            }

            return [.. Rules.SelectMany(r => r.Check(lintStatements, context))
                .OrderBy(f => f.StatementIndex ?? -1).ThenByDescending(f => f.Severity).ThenBy(f => f.Rule, StringComparer.Ordinal)];
        }
        finally
        {
            foreach (var tree in trees)
            {
                tree.Dispose();
            }
        }
    }
}
