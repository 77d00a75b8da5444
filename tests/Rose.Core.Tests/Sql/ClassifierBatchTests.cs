using Rose.Core.Sql;

namespace Rose.Core.Tests.Sql;

/// <summary>Splitting, offsets and the smuggling tricks agents use to hide a statement.</summary>
public sealed class ClassifierBatchTests
{
    private static readonly PgQueryClassifier Classifier = new();

    public static TheoryData<string, string[]> SplitCases => new()
    {
        { "COMMIT; DROP TABLE x", ["COMMIT", "DROP TABLE"] },
        { "END; DROP TABLE x", ["COMMIT", "DROP TABLE"] },
        { "SELECT 1; DROP TABLE t", ["SELECT", "DROP TABLE"] },
        { "SELECT 1 /* /* */ DROP TABLE t; */", ["SELECT"] },
        { "SELECT 1 /* /* */ ; DROP TABLE t */; DELETE FROM u", ["SELECT", "DELETE"] },
        { "SELECT 1 -- ; DROP TABLE t\n; DELETE FROM u", ["SELECT", "DELETE"] },
        { "SELECT E'it\\'s; DROP TABLE t'; DELETE FROM u", ["SELECT", "DELETE"] },
        { "SELECT 'a'';DROP TABLE t'; DELETE FROM u", ["SELECT", "DELETE"] },
        { "SELECT $$ ; DROP TABLE t; $$; DELETE FROM u", ["SELECT", "DELETE"] },
        { "SELECT $x$ $$; DROP TABLE t; $$ $x$; DELETE FROM u", ["SELECT", "DELETE"] },
        { "DO $body$ BEGIN EXECUTE 'DROP TABLE t'; END $body$; SELECT 1", ["DO", "SELECT"] },
        { "SELECT \"a;b\" FROM t; DROP TABLE t", ["SELECT", "DROP TABLE"] },
        { ";;SELECT 1;;; ;", ["SELECT"] },
        { "-- only a comment", [] },
        { "/* only */ -- comments\n ;", [] },
        { "   \n\t ", [] },
        { "", [] },
    };

    [Theory]
    [MemberData(nameof(SplitCases))]
    public void Classify_Batch_SplitsIntoExpectedTags(string sql, string[] tags)
    {
        var batch = Classifier.Classify(sql);
        Assert.Equal(tags, batch.Statements.Select(s => s.Tag));
        Assert.True(batch.AllParsed);
        for (var i = 0; i < batch.Statements.Count; i++)
        {
            var s = batch.Statements[i];
            Assert.Equal(i, s.Index);
            Assert.Equal(sql.Substring(s.Start, s.Length), s.Text);
            Assert.False(s.Text.EndsWith(';'));
        }
    }

    [Fact]
    public void Classify_SmuggledDropAfterCommit_ClassifiesTheDrop()
    {
        var batch = Classifier.Classify("COMMIT; DROP TABLE x");
        Assert.True(batch.Statements[0].TransactionControl);
        Assert.Equal("DROP TABLE x", batch.Statements[1].Text);
        Assert.Equal(["DROP TABLE"], batch.Statements[1].Operations);
        Assert.True(batch.Statements[1].Destructive);
    }

    [Fact]
    public void Classify_UnicodeBeforeStatement_OffsetsAreUtf16()
    {
        const string sql = "SELECT 'héllo 😀 wörld'; /* ünï */ DROP TABLE t";
        var batch = Classifier.Classify(sql);
        Assert.Equal(2, batch.Statements.Count);
        Assert.Equal("SELECT 'héllo 😀 wörld'", batch.Statements[0].Text);
        Assert.Equal(0, batch.Statements[0].Start);
        Assert.Equal(sql.IndexOf("DROP", StringComparison.Ordinal), batch.Statements[1].Start);
        Assert.Equal("DROP TABLE t", batch.Statements[1].Text);
    }

    [Fact]
    public void Classify_UnparseableBetweenGoodOnes_NeighboursStillClassified()
    {
        const string sql = "SELECT 1; SELEC 2 FROM 😀t; DROP TABLE t";
        var batch = Classifier.Classify(sql);
        Assert.Equal(["SELECT", "UNPARSEABLE", "DROP TABLE"], batch.Statements.Select(s => s.Tag));
        var bad = batch.Statements[1];
        Assert.Equal("SELEC 2 FROM 😀t", bad.Text);
        Assert.Equal("Unparseable", bad.Node);
        Assert.Equal([SqlOperations.Unparseable], bad.Operations);
        Assert.Equal(StatementKind.Unparseable, bad.Kind);
        Assert.True(bad.Writes);
        Assert.NotNull(bad.Error);
        Assert.Contains("syntax error", bad.Error!.Message, StringComparison.Ordinal);
        Assert.Equal(sql.IndexOf("SELEC ", StringComparison.Ordinal), bad.Error.Position);
        Assert.False(batch.AllParsed);
    }

    [Fact]
    public void Classify_ErrorAfterAstralChar_CursorIsUtf16Offset()
    {
        const string sql = "SELECT 1; SELECT '😀' +";
        var bad = Classifier.Classify(sql).Statements[1];
        Assert.Equal(StatementKind.Unparseable, bad.Kind);
        Assert.Equal(sql.Length, bad.Error!.Position);
    }

    [Fact]
    public void Classify_UnterminatedQuote_WholeBatchUnparseable()
    {
        var batch = Classifier.Classify("SELECT 1; SELECT 'abc; DROP TABLE t");
        var statement = Assert.Single(batch.Statements);
        Assert.Equal(SqlOperations.Unparseable, statement.Tag);
        Assert.NotNull(statement.Error!.Position);
    }

    [Fact]
    public void Classify_SqlStandardFunctionBodyWithError_SemicolonsInsideAtomicDoNotSplit()
    {
        var batch = Classifier.Classify("SELEC 1; CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 1 END; END; DELETE FROM t");
        Assert.Equal(["UNPARSEABLE", "CREATE FUNCTION", "DELETE"], batch.Statements.Select(s => s.Tag));
    }

    [Fact]
    public void Classify_HugeInput_SingleUnparseableWithClearMessage()
    {
        var sql = "SELECT 1;" + new string(' ', PgQueryClassifier.MaxBatchChars);
        var statement = Assert.Single(Classifier.Classify(sql).Statements);
        Assert.Equal(StatementKind.Unparseable, statement.Kind);
        Assert.Contains("limit", statement.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_NulCharacter_Unparseable()
    {
        var statement = Assert.Single(Classifier.Classify("SELECT 1\0; DROP TABLE t").Statements);
        Assert.Equal(StatementKind.Unparseable, statement.Kind);
    }

    [Fact]
    public void Classify_DeeplyNestedExpression_DoesNotCrash()
    {
        var sql = "SELECT " + new string('(', 5000) + "1" + new string(')', 5000);
        var statement = Assert.Single(Classifier.Classify(sql).Statements);
        Assert.True(statement.Kind is StatementKind.Read or StatementKind.Unparseable);
    }

    [Fact]
    public void Classify_ManyThreads_SameAnswers()
    {
        const string sql = "WITH d AS (DELETE FROM t RETURNING *) SELECT pg_sleep(1) FROM d; COMMIT; DROP TABLE x";
        var expected = Classifier.Classify(sql).Statements.SelectMany(s => s.Operations).ToList();
        Parallel.For(0, 200, _ =>
            Assert.Equal(expected, Classifier.Classify(sql).Statements.SelectMany(s => s.Operations)));
    }
}
