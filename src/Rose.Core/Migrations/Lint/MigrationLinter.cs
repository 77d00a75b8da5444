namespace Rose.Core.Migrations.Lint;

/// <summary>The one place lint rules are registered, and the driver that runs them over a migration.</summary>
public static class MigrationLinter
{
    public static IReadOnlyList<IMigrationLintRule> Rules { get; } =
    [
        // squawk's rules, under squawk's names
        new AddingFieldWithDefaultRule(),
        new AddingForeignKeyConstraintRule(),
        new AddingNotNullableFieldRule(),
        new AddingRequiredFieldRule(),
        new AddingSerialPrimaryKeyFieldRule(),
        new BanAlterDomainWithAddConstraintRule(),
        new BanCharFieldRule(),
        new BanConcurrentIndexCreationInTransactionRule(),
        new BanCreateDomainWithConstraintRule(),
        new BanDropColumnRule(),
        new BanDropDatabaseRule(),
        new BanDropNotNullRule(),
        new BanDropTableRule(),
        new BanTruncateCascadeRule(),
        new BanUncommittedTransactionRule(),
        new ChangingColumnTypeRule(),
        new ConstraintMissingNotValidRule(),
        new DisallowedUniqueConstraintRule(),
        new IdentifierTooLongRule(),
        new PreferBigintOverIntRule(),
        new PreferBigintOverSmallintRule(),
        new PreferIdentityRule(),
        new PreferRobustStmtsRule(),
        new PreferTextFieldRule(),
        new PreferTimestampTzRule(),
        new RenamingColumnRule(),
        new RenamingTableRule(),
        new RequireConcurrentIndexCreationRule(),
        new RequireConcurrentIndexDeletionRule(),
        new RequireConcurrentPartitionDetachRule(),
        new RequireConcurrentReindexRule(),
        new RequireEnumValueOrderingRule(),
        RequireSessionTimeoutRule.LockTimeout(),
        RequireSessionTimeoutRule.StatementTimeout(),
        new TransactionNestingRule(),

        // what squawk misses: rewrites, long exclusive locks, whole-table DML, the golden rules
        new BanVacuumFullRule(),
        new BanClusterRule(),
        new BanSetLoggedUnloggedRule(),
        new BanLockTableRule(),
        new BanTableRewriteRule(),
        new BanUnbatchedDmlRule(),
        new BanNowCastDefaultRule(),
        new PreferJsonbRule(),
        new RequireUuidOrIdentityKeyRule(),
        new RequireTimestampsRule(),
        new RequireIndexedForeignKeyRule(),
    ];

    /// <summary>Lints the parsed statements of one migration with the default settings and no disable comments.</summary>
    public static IReadOnlyList<LintFinding> Lint(IReadOnlyList<SqlStatement> statements, LintContext context) =>
        Run(statements, null, context, LintSettings.Default);

    /// <summary>Lints a migration file: disable comments in <see cref="SqlBatch.Text"/> apply, and findings carry their line.</summary>
    public static IReadOnlyList<LintFinding> Lint(SqlBatch batch, LintContext context, LintSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return Run(batch.Statements, batch.Text, context, settings ?? LintSettings.Default);
    }

    /// <summary>Unparseable statements are the planner's business, not lint's.</summary>
    private static List<LintFinding> Run(IReadOnlyList<SqlStatement> statements, string? text, LintContext context, LintSettings settings)
    {
        ArgumentNullException.ThrowIfNull(statements);
        ArgumentNullException.ThrowIfNull(context);
        var directives = text is null ? LintDirectives.None : LintDirectives.Parse(text, statements);
        var trees = new List<ParsedStatementTree>();
        try
        {
            var lintStatements = new List<LintStatement>();
            var depth = settings.AssumeInTransaction ? 1 : 0;
            foreach (var statement in statements.Where(s => s.IsParsed))
            {
                var tree = SqlParseTree.Parse(statement.Text);
                if (tree is null)
                {
                    continue;
                }

                trees.Add(tree);
                lintStatements.Add(new LintStatement(statement, tree.Node, tree.Body, depth > 0));
                depth = TransactionDepthAfter(tree, depth, settings.AssumeInTransaction);
            }

            var byIndex = lintStatements.ToDictionary(s => s.Statement.Index);
            return [.. Rules.Where(r => !settings.IsOff(r.Id))
                .SelectMany(r => r.Check(lintStatements, context))
                .Where(f => !directives.Disables(f.Rule, f.StatementIndex))
                .Select(f => Complete(f, byIndex, text, context, settings))
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

    /// <summary>Adds what every finding reports: configured severity, lock, scan/rewrite, table size, line.</summary>
    private static LintFinding Complete(LintFinding f, Dictionary<int, LintStatement> byIndex, string? text, LintContext context, LintSettings settings)
    {
        var statement = f.StatementIndex is { } i && byIndex.TryGetValue(i, out var s) ? s : null;
        var locks = statement is null ? null : StatementLocks.Of(statement);
        var table = f.Table ?? (statement is null ? null : statement.Statement.Objects.FirstOrDefault());
        return f with
        {
            Severity = settings.SeverityOf(f.Rule, f.Severity),
            Lock = f.Lock ?? locks?.Mode ?? StatementLocks.None,
            Impact = f.Impact ?? locks?.Impact ?? TableImpact.None,
            Table = table,
            TableRows = f.TableRows ?? context.EstimatedRows(table),
            Line = f.Line ?? (text is not null && statement is not null ? LineOf(text, statement.Statement.Start) : null),
        };
    }

    private static int LineOf(string text, int offset)
    {
        var line = 1;
        for (var i = 0; i < offset && i < text.Length; i++)
        {
            if (text[i] == '\n')
            {
                line++;
            }
        }

        return line;
    }

    private static int TransactionDepthAfter(ParsedStatementTree tree, int depth, bool assumed)
    {
        if (tree.Node != "TransactionStmt")
        {
            return depth;
        }

        return LintTree.Str(tree.Body, "kind") switch
        {
            "TRANS_STMT_BEGIN" or "TRANS_STMT_START" => depth + 1,
            "TRANS_STMT_COMMIT" or "TRANS_STMT_ROLLBACK" or "TRANS_STMT_PREPARE" => assumed ? 1 : 0,
            _ => depth,
        };
    }
}
