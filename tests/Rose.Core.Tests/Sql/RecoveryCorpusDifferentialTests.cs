using Rose.Core.Sql;

namespace Rose.Core.Tests.Sql;

/// <summary>
/// Differential tests of the classifier on PostgreSQL's regression corpus, through the normal entry
/// point, against references that share no code with the recovery path: the whole-text parse of the
/// same script, and each statement's text classified alone (what the server receives).
/// </summary>
public sealed class RecoveryCorpusDifferentialTests
{
    private static readonly PgQueryClassifier Classifier = new();

    /// <summary>
    /// A script that parses whole, with one bad statement put in before a statement near its start,
    /// middle or end, takes the recovery path (runs of pieces); its statements must then be the whole
    /// parse's, field for field but their place, with the bad one UNPARSEABLE among them.
    /// </summary>
    [Fact]
    public void Corpus_BadStatementInserted_RecoveryKeepsTheWholeParsesStatements()
    {
        var checkedScripts = 0;
        foreach (var file in CorpusLocator.SqlFiles())
        {
            var sql = File.ReadAllText(file);
            var whole = Classifier.Classify(sql);
            if (!whole.AllParsed || whole.Statements.Count < 3)
            {
                continue;
            }

            checkedScripts++;
            var count = whole.Statements.Count;
            foreach (var at in new[] { 1, count / 2, count - 1 }.Distinct())
            {
                const string bad = "SELEC 0;\n";
                var start = whole.Statements[at].Start;
                var mutated = Classifier.Classify(sql.Insert(start, bad));

                var expected = whole.Statements.Select(BatchRecoveryAdversarialTests.Meaning).ToList();
                var actual = mutated.Statements.Select(BatchRecoveryAdversarialTests.Meaning).ToList();
                Assert.True(expected.Count + 1 == actual.Count, $"{Path.GetFileName(file)} with a bad statement before statement {at}: {actual.Count} statements, expected {expected.Count + 1}");
                var inserted = mutated.Statements[at];
                Assert.False(inserted.IsParsed, $"{Path.GetFileName(file)}: statement {at} should be the inserted one");
                Assert.Equal("SELEC 0", inserted.Text);
                actual.RemoveAt(at);
                Assert.Equal(expected, actual);
            }
        }

        Assert.True(checkedScripts > 100, $"expected the corpus's scripts that parse whole, found {checkedScripts}");
    }

    /// <summary>
    /// Every statement of every script (whole parse or recovery path alike), classified alone, is the
    /// same statement: the executor sends each text alone, so the server parses exactly what was
    /// classified. An UNPARSEABLE statement does not parse alone either.
    /// </summary>
    [Fact]
    public void Corpus_EveryStatementAlone_IsTheStatementItsBatchClassified()
    {
        var statements = 0;
        foreach (var file in CorpusLocator.SqlFiles())
        {
            var batch = Classifier.Classify(File.ReadAllText(file));
            BatchRecoveryAdversarialTests.AssertEveryStatementStandsAlone(batch);
            statements += batch.Statements.Count;
        }

        Assert.True(statements > 18_000, $"expected the corpus's statements, found {statements}");
    }
}
