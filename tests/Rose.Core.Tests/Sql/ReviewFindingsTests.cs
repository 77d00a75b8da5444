using Rose.Core.Policy;
using Rose.Core.Sql;

namespace Rose.Core.Tests.Sql;

/// <summary>
/// The adversarial review of issue 14, one named test per finding: each failed on the libpg_query
/// 15 classifier with its hand-written comment trimming and passes on the lexer-driven one.
/// </summary>
public sealed class ReviewFindingsTests
{
    private static readonly PgQueryClassifier Classifier = new();

    private static readonly SqlPolicy SelectOnly = SqlTestPolicies.SelectOnly;

    /// <summary>
    /// Finding 1: PostgreSQL ends a "--" comment at a carriage return. The old trimming ran to the
    /// next line feed and sent "DELETE FROM app_events --$q$" under a SELECT's classification. Now
    /// the text sent is the text PostgreSQL's lexer and parser read: a SELECT of a dollar-quoted
    /// string, and nothing in any statement text is outside what was classified.
    /// </summary>
    [Fact]
    public void Finding1_CommentEndedByCarriageReturn_TextSentIsTheClassifiedSelect()
    {
        const string sql = "SELECT 1 FROM customers LIMIT 1 FOR UPDATE; --x\rSELECT $q$\nDELETE FROM app_events --$q$";
        var batch = Classifier.Classify(sql);

        Assert.True(batch.AllParsed);
        Assert.Equal(2, batch.Statements.Count);
        var second = batch.Statements[1];
        Assert.Equal("SELECT $q$\nDELETE FROM app_events --$q$", second.Text);
        Assert.Equal("SelectStmt", second.Node);
        Assert.DoesNotContain(batch.Statements, s => s.Text.StartsWith("DELETE", StringComparison.Ordinal));

        // The statement's text, parsed on its own (as the server will), is the same SELECT.
        var again = Assert.Single(Classifier.Classify(second.Text).Statements);
        Assert.Equal("SelectStmt", again.Node);
        Assert.Equal(second.Text, again.Text);
    }

    /// <summary>Finding 1, the other way round: a DELETE after a CR-ended comment is a statement of its own and classified.</summary>
    [Fact]
    public void Finding1_DeleteAfterCarriageReturnEndedComment_IsClassifiedAsDelete()
    {
        var batch = Classifier.Classify("SELECT 1; --x\rDELETE FROM app_events --$q$\n");
        Assert.Equal(["SELECT", "DELETE"], batch.Statements.Select(s => s.Tag));
        Assert.Equal("DELETE FROM app_events", batch.Statements[1].Text);
        Assert.Equal(Decision.Deny, new PolicyEnforcer().Evaluate(SelectOnly, "app", null, batch).Decision);
    }

    /// <summary>Finding 2: row-locking reads are LOCK ROWS, which a SELECT entry does not reach; they are not reads.</summary>
    [Theory]
    [InlineData("SELECT * FROM t FOR UPDATE")]
    [InlineData("SELECT * FROM t FOR NO KEY UPDATE")]
    [InlineData("SELECT * FROM t FOR SHARE")]
    [InlineData("SELECT * FROM t FOR KEY SHARE NOWAIT")]
    [InlineData("SELECT * FROM t FOR UPDATE OF t SKIP LOCKED")]
    [InlineData("SELECT * FROM (SELECT * FROM t FOR UPDATE) s")]
    [InlineData("WITH l AS (SELECT id FROM t FOR SHARE) SELECT * FROM l")]
    [InlineData("SELECT 1 UNION SELECT id FROM (SELECT id FROM t FOR UPDATE) x")]
    public void Finding2_RowLockingSelect_IsLockRowsAndNotAllowedBySelect(string sql)
    {
        var batch = Classifier.Classify(sql);
        var statement = Assert.Single(batch.Statements);

        Assert.Contains(SqlOperations.LockRows, statement.Operations);
        Assert.DoesNotContain(statement.Operations, o => o.StartsWith("SELECT FOR", StringComparison.Ordinal));
        Assert.True(statement.Writes);
        Assert.False(batch.AllReads);
        Assert.False(OperationMatcher.Matches("SELECT", SqlOperations.LockRows));

        var decision = new PolicyEnforcer().Evaluate(SelectOnly, "app", null, batch);
        Assert.Equal(Decision.Deny, decision.Decision);
        Assert.Contains(decision.Reasons, r => r.Contains("LOCK ROWS is not in allowed_operations", StringComparison.Ordinal));

        var withLocks = SelectOnly with { AllowedOperations = ["SELECT", "LOCK ROWS"] };
        Assert.Equal(Decision.Allow, new PolicyEnforcer().Evaluate(withLocks, "app", null, batch).Decision);
    }

    /// <summary>Finding 3: a statement after a CR-ended comment used to vanish from the answer.</summary>
    [Fact]
    public void Finding3_DeleteAfterCarriageReturnComment_IsAStatement()
    {
        var batch = Classifier.Classify("SELECT 1; --\rDELETE FROM customers");
        Assert.Equal(["SELECT", "DELETE"], batch.Statements.Select(s => s.Tag));
        var delete = batch.Statements[1];
        Assert.Equal("DELETE FROM customers", delete.Text);
        Assert.True(delete.UnfilteredDml);
        Assert.Contains("customers", delete.Objects);
    }

    /// <summary>Finding 5: PostgreSQL 16 and 17 syntax classifies instead of being UNPARSEABLE.</summary>
    [Theory]
    [InlineData("SELECT json_object('a' VALUE 1)", "SelectStmt", "SELECT")]
    [InlineData("SELECT '{}' IS JSON OBJECT", "SelectStmt", "SELECT")]
    [InlineData("SELECT * FROM JSON_TABLE('[1,2]'::jsonb, '$[*]' COLUMNS (v int PATH '$')) jt", "SelectStmt", "SELECT")]
    [InlineData("SELECT JSON_QUERY('{\"a\":[1]}'::jsonb, '$.a')", "SelectStmt", "SELECT")]
    [InlineData("MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN UPDATE SET v = s.v RETURNING merge_action(), t.*", "MergeStmt", "MERGE")]
    [InlineData("MERGE INTO t USING s ON t.id = s.id WHEN NOT MATCHED BY SOURCE THEN DELETE", "MergeStmt", "MERGE")]
    [InlineData("SELECT 1_000_000", "SelectStmt", "SELECT")]
    [InlineData("SELECT 0x1F, 0o17, 0b101", "SelectStmt", "SELECT")]
    [InlineData("ALTER TABLE t ALTER COLUMN c SET EXPRESSION AS (a * 2)", "AlterTableStmt", "ALTER TABLE")]
    [InlineData("EXPLAIN (ANALYZE, SERIALIZE) SELECT 1", "ExplainStmt", "EXPLAIN")]
    public void Finding5_Postgres17Syntax_Classifies(string sql, string node, string tag)
    {
        var statement = Assert.Single(Classifier.Classify(sql).Statements);
        Assert.True(statement.IsParsed, statement.Error?.Message);
        Assert.Equal(node, statement.Node);
        Assert.Equal(tag, statement.Tag);
    }

    /// <summary>Finding 5: one unreadable statement no longer turns its whole file into a single UNPARSEABLE blob.</summary>
    [Fact]
    public void Finding5_OneUnreadableStatement_NeighboursKeepTheirClassification()
    {
        var batch = Classifier.Classify("SELECT 1;\nSELEC 2;\nMERGE INTO t USING s ON true WHEN NOT MATCHED BY SOURCE THEN DELETE;\nDELETE FROM t WHERE id = 1");
        Assert.Equal(["SELECT", "UNPARSEABLE", "MERGE", "DELETE"], batch.Statements.Select(s => s.Tag));
    }
}
