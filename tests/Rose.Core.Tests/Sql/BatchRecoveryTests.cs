using Rose.Core.Sql;

namespace Rose.Core.Tests.Sql;

/// <summary>
/// The recovery path parses runs of pieces together (BatchRecovery); its result must be exactly
/// what parsing every piece alone gives, statement for statement and field for field.
/// </summary>
public sealed class BatchRecoveryTests
{
    private static readonly PgQueryClassifier Classifier = new();

    /// <summary>Every field of every statement, for comparing two classifications of one batch.</summary>
    private static List<string> Facts(SqlBatch batch) => batch.Statements.Select(s =>
        $"{s.Index}|{s.Start}|{s.Length}|{s.Text}|{s.Node}|{s.Tag}|{string.Join(',', s.Operations)}|{string.Join(',', s.Objects)}|" +
        $"{s.Writes}|{s.Destructive}|{s.NoTransaction}|{s.TransactionControl}|{s.Kind}|{s.UnfilteredDml}|{s.Error?.Message}|{s.Error?.Position}").ToList();

    private static void AssertSameAsPieceByPiece(string sql)
    {
        Assert.Equal(Facts(Classifier.Classify(sql, recoverInRuns: false)), Facts(Classifier.Classify(sql, recoverInRuns: true)));
    }

    [Theory]
    [InlineData("SELECT 1; SELEC 2; DELETE FROM t; UPDATE u SET a = 1; \\d t\nSELECT 3; DROP TABLE x")]
    [InlineData("SELEC 1; SELEC 2; SELEC 3; SELECT 4")]
    [InlineData("SELECT 1; SELECT 2; SELECT 3; SELEC 4")]
    [InlineData("SELECT 1;; /* only a comment */ ; SELEC 2 -- x\n; -- y\n;SELECT 3 /* z */;")]
    [InlineData("SELEC 1; CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END; SELECT 'é😀'; SELEC 😀; WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d")]
    [InlineData("SELEC 1; CREATE RULE r AS ON INSERT TO t DO INSTEAD (INSERT INTO u VALUES (1); DELETE FROM v); SELECT 2; SELEC 3")]
    [InlineData("SELEC 1; SELECT 2 SELECT 3; SELECT 4; BEGIN; COMMIT; SELEC")]
    [InlineData("SELECT (1; SELECT 2; SELECT 3")]
    public void Classify_RecoveryInRuns_SameAsPieceByPiece(string sql)
    {
        AssertSameAsPieceByPiece(sql);
    }

    [Fact]
    public void Classify_RecoveryInRuns_ErrorKeepsItsPieceAndPosition()
    {
        var batch = Classifier.Classify("SELECT 1; SELECT 2; SELEC 3; SELECT 4; SELECT 5");
        Assert.Equal(["SELECT", "SELECT", "UNPARSEABLE", "SELECT", "SELECT"], batch.Statements.Select(s => s.Tag));
        var bad = batch.Statements[2];
        Assert.Equal("SELEC 3", bad.Text);
        Assert.Equal(20, bad.Error!.Position);
    }

    /// <summary>
    /// The regression corpus has about a hundred scripts that take the recovery path, with runs of
    /// good statements of every length between bad ones; each must classify the same both ways.
    /// (Cut versions of every file, heads and tails at a quarter, half and three quarters, were
    /// compared too when the runs were written: bench/README.md, "Classification throughput".)
    /// </summary>
    [Fact]
    public void Classify_CorpusFiles_RecoveryInRunsSameAsPieceByPiece()
    {
        var recovered = 0;
        foreach (var file in CorpusLocator.SqlFiles())
        {
            var sql = File.ReadAllText(file);
            var pieceByPiece = Classifier.Classify(sql, recoverInRuns: false);
            if (pieceByPiece.AllParsed)
            {
                continue; // parsed whole: the recovery path is not taken
            }

            recovered++;
            Assert.Equal(Facts(pieceByPiece), Facts(Classifier.Classify(sql, recoverInRuns: true)));
        }

        Assert.True(recovered > 50, $"expected the corpus's scripts with errors, found {recovered}");
    }
}
