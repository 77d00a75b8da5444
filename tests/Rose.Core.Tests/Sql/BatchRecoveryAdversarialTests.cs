using Rose.Core.Policy;
using Rose.Core.Sql;
using Rose.Core.Sql.Native;

namespace Rose.Core.Tests.Sql;

/// <summary>
/// The review of the recovery path's runs (BatchRecovery) with an attacker's inputs, each run
/// through the real parser. For every input: the runs give exactly what parsing each piece alone
/// gives; every statement's text, classified alone (as the server receives it: one statement per
/// protocol message), is that same statement; no byte escapes a statement; and a SELECT-only policy
/// decides no more leniently with runs than without. And the runs' work stays linear in the batch.
/// </summary>
public sealed class BatchRecoveryAdversarialTests
{
    private static readonly PgQueryClassifier Classifier = new();

    private static readonly SqlPolicy SelectOnly = SqlTestPolicies.SelectOnly;

    /// <summary>Every field of every statement, for comparing two classifications of one batch.</summary>
    internal static List<string> Facts(SqlBatch batch) => batch.Statements.Select(s =>
        $"{s.Index}|{s.Start}|{s.Length}|{s.Text}|{s.Node}|{s.Tag}|{string.Join(',', s.Operations)}|{string.Join(',', s.Objects)}|" +
        $"{s.Writes}|{s.Destructive}|{s.NoTransaction}|{s.TransactionControl}|{s.Kind}|{s.UnfilteredDml}|{s.Error?.Message}|{s.Error?.Position}").ToList();

    /// <summary>What a statement is, apart from where it sits in its batch.</summary>
    internal static string Meaning(SqlStatement s) =>
        $"{s.Text}|{s.Node}|{s.Tag}|{string.Join(',', s.Operations)}|{string.Join(',', s.Objects)}|{s.Writes}|{s.Destructive}|" +
        $"{s.NoTransaction}|{s.TransactionControl}|{s.Kind}|{s.UnfilteredDml}|{s.IsParsed}";

    /// <summary>
    /// Each statement's text, classified alone, is that statement; an UNPARSEABLE one stays so
    /// (or holds no statement at all). This is what the executor relies on: it sends each text alone.
    /// </summary>
    internal static void AssertEveryStatementStandsAlone(SqlBatch batch)
    {
        foreach (var statement in batch.Statements)
        {
            Assert.Equal(statement.Text, batch.Text.Substring(statement.Start, statement.Length));
            var alone = Classifier.Classify(statement.Text);
            if (!statement.IsParsed)
            {
                Assert.False(alone.AllParsed && alone.Statements.Count > 0, $"'{statement.Text}' was UNPARSEABLE in its batch but parses alone");
                continue;
            }

            var single = Assert.Single(alone.Statements);
            Assert.Equal(Meaning(statement), Meaning(single));
        }
    }

    public static TheoryData<string> Attacks => new()
    {
        // BEGIN ATOMIC bodies: semicolons inside, CASE ... END inside, a reserved word END used as a
        // column label (AS end), which the splitter takes for the body's end.
        "SELEC 1; CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; DELETE FROM t; END; SELECT 2",
        "SELEC 1; CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN true THEN 1 END; DELETE FROM t; END; SELECT 2",
        "SELEC 1; CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1 AS end; DELETE FROM t; END; SELECT 2",
        "SELECT 1; CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1 AS end; DROP TABLE t; SELEC 2; END; SELECT 3",
        "SELEC 1; SELECT 1 AS begin, 2 AS atomic; DROP TABLE t; SELECT 2",
        "SELEC 1; BEGIN ATOMIC; DROP TABLE t; END; SELECT 1",
        "SELEC 1; begin atomic; delete from t; end; SELECT 1",
        // Dollar quotes: semicolons, comment openers and fake statements inside; nested tags.
        "SELEC 1; SELECT $$; DROP TABLE t; $$; DELETE FROM t; SELECT $a$ $$ ; $b$ $a$",
        "SELECT $q$;$q$ ; SELEC ; SELECT $q$ /* ; */ $q$; TRUNCATE t",
        "SELEC 1; DO $$BEGIN EXECUTE 'DROP TABLE t'; END$$; SELECT 2",
        // Nested comments and comments holding semicolons, quotes and newlines.
        "SELEC 1; /* a /* b ; DROP TABLE t; */ c ; */ SELECT 2; -- ; DELETE FROM t\nSELECT 3",
        "SELECT 1 /* ; */; SELEC /* '; */ 2; DELETE FROM t -- '\r; SELECT 4",
        "/* only */ ; -- comments\n; SELEC; /* */ DELETE FROM t /* x */ ;",
        // Strings: standard strings with backslashes (standard_conforming_strings on, as the parser
        // reads them), E'' strings with escaped quotes, U&'' strings and UESCAPE, B'' and X''.
        "SELEC 1; SELECT 'a\\'; DROP TABLE t; --'; SELECT 2",
        "SELEC 1; SELECT E'a\\'; DROP TABLE t; --'; SELECT 2",
        "SELEC 1; SELECT E'\\\\'; DELETE FROM t; SELECT 'x''; DROP TABLE t; --'",
        "SELEC 1; SELECT U&'d!0061t!+000061' UESCAPE '!'; DELETE FROM t; SELECT U&'\\0000'",
        "SELEC 1; SELECT B'0101', X'ff'; SELECT b'2'; UPDATE t SET a = 1",
        // Quoted identifiers holding semicolons and quotes.
        "SELEC 1; SELECT \"a;b\" FROM \"DROP TABLE t;\"; DELETE FROM \"x\"\"; y\"",
        // psql meta-commands: \gexec, \; (psql's own separator), \copy, \set with a quote.
        "SELECT 'DROP TABLE t' \\gexec\nSELECT 1",
        "SELECT 1 \\; DELETE FROM t; SELECT 2",
        "\\set x 'DROP TABLE t'\n:x; SELECT 1; \\copy t from stdin\nSELECT 2",
        // COPY FROM STDIN with its data after it; data that looks like SQL.
        "COPY t FROM STDIN;\n1\tDROP TABLE t;\n\\.\nSELECT 1",
        "COPY t FROM STDIN;\nDELETE FROM t;\n\\.\nSELECT 1",
        // Failures only in a middle piece, or only in the parser (not the lexer).
        "SELECT 1; SELECT 2; SELECT (3; SELECT 4); DELETE FROM t; SELECT 5",
        "SELECT 1; SELECT 2; SELECT 3 +; SELECT 4; SELECT 5",
        "SELECT 1; SELECT U&'\\D800'; SELECT 2",
        "SELECT 1; SELECT 1 2; DELETE FROM t WHERE a = 1; SELECT 3",
        "SELECT 1; CREATE TABLE t (a int, b text; DROP TABLE t; SELECT 2",
        "SELECT 1; SELECT 2)) ; DROP TABLE t; SELECT 3",
        // Non-ASCII: U+2028 and U+00A0 (not whitespace to PostgreSQL), combining marks, emoji,
        // lone surrogates (encoded as U+FFFD), right-to-left marks.
        "SELEC 1;\u2028SELECT 2; DELETE\u00A0FROM t; SELECT 'e\u0301;'; SELECT '😀'; DROP TABLE t",
        "SELEC 😀; SELECT '\uD800'; SELECT \"\uDC00\"; DELETE FROM t; SELECT 'a\uD83D'",
        "SELECT 1;\u200F SELEC 2;\u202E SELECT 3; DELETE FROM t",
        "SELECT 'x' \uFEFF; DELETE FROM t; SELEC",
        // Empty statements, semicolons only, trailing garbage.
        ";;; SELEC;;; SELECT 1;;;; DELETE FROM t;;",
        "SELECT 1; SELECT 2; SELECT 3; SELEC",
        "SELEC; SELECT 1; SELECT 2; SELECT 3",
        // Parenthesised rule actions and unbalanced parentheses, which hold semicolons.
        "SELEC 1; CREATE RULE r AS ON INSERT TO t DO INSTEAD (INSERT INTO u VALUES (1); DELETE FROM v); SELECT 2",
        "SELEC 1; SELECT (1; DELETE FROM t; SELECT 2",
        "SELEC 1; SELECT 1); DELETE FROM t; SELECT (2",
        // Statements the lexer splits where a reader might not: operators with -- and /* inside.
        "SELEC 1; SELECT 1 +-- x\n2; SELECT 1 */* x */ 2; DELETE FROM t",
        // Errors without a cursor (raised by a grammar action), as the whole text's error and inside a
        // run; and a piece too deeply nested for the parser ("memory exhausted").
        "SELECT * FROM t FETCH FIRST 1 ROW WITH TIES; DELETE FROM t; SELECT 1",
        "SELEC 1; SELECT 1; SELECT * FROM t FETCH FIRST 1 ROW WITH TIES; DELETE FROM t; SELECT 2",
        "SELEC 1; " + string.Join("; ", Enumerable.Range(0, 400).Select(i => $"SELECT {i}, 'pad pad pad'")) + "; SELECT * FROM t FETCH FIRST 1 ROW WITH TIES; " +
            string.Join("; ", Enumerable.Range(0, 400).Select(i => i == 200 ? "DELETE FROM t" : $"SELECT {i}")),
        "SELEC 1; SELECT 1; SELECT " + new string('(', 20_000) + "1" + new string(')', 20_000) + "; DELETE FROM t; SELECT 2",

        // Transaction control and the legacy END, and a run of good pieces long enough to be cut.
        "SELEC 1; BEGIN; END; COMMIT; " + string.Join("; ", Enumerable.Range(0, 600).Select(i => $"SELECT {i}, 'pad pad pad pad pad'")) + "; SELEC 2; DELETE FROM t",
        string.Join("; ", Enumerable.Range(0, 900).Select(i => i % 97 == 0 ? "SELEC" : i % 5 == 0 ? $"DELETE FROM t{i}" : $"SELECT {i}")),
    };

    [Theory]
    [MemberData(nameof(Attacks))]
    public void Classify_AdversarialRecovery_SameAsPieceByPiece(string sql)
    {
        Assert.Equal(Facts(Classifier.Classify(sql, recoverInRuns: false)), Facts(Classifier.Classify(sql, recoverInRuns: true)));
    }

    [Theory]
    [MemberData(nameof(Attacks))]
    public void Classify_AdversarialRecovery_EveryStatementIsItsTextAlone(string sql)
    {
        AssertEveryStatementStandsAlone(Classifier.Classify(sql));
    }

    [Theory]
    [MemberData(nameof(Attacks))]
    public void Classify_AdversarialRecovery_NoByteEscapesAStatement(string sql)
    {
        var batch = Classifier.Classify(sql);

        // Outside the statements lie only whitespace, comments and semicolons: remove the statements'
        // texts and what is left scans to comments and semicolons alone.
        var rest = new System.Text.StringBuilder(sql);
        foreach (var statement in batch.Statements.OrderByDescending(s => s.Start))
        {
            rest.Remove(statement.Start, statement.Length).Insert(statement.Start, ' ');
        }

        var leftover = new Utf8Text(rest.ToString());
        var (tokens, error) = LibPgQuery.ScanToTokens(leftover.Bytes);
        Assert.Null(error);
        Assert.All(tokens!, t => Assert.True(ScanTokens.IsComment(t.Token) || t.Token == ScanTokens.Semicolon,
            $"'{rest}' holds a token outside every statement at byte {t.Start}"));

        // Statements are in order and do not overlap.
        for (var i = 1; i < batch.Statements.Count; i++)
        {
            Assert.True(batch.Statements[i].Start >= batch.Statements[i - 1].Start + batch.Statements[i - 1].Length);
        }
    }

    [Theory]
    [MemberData(nameof(Attacks))]
    public void Classify_AdversarialRecovery_SelectOnlyPolicyNeverMoreLenient(string sql)
    {
        var enforcer = new PolicyEnforcer();
        var withRuns = enforcer.Evaluate(SelectOnly, "app", null, Classifier.Classify(sql, recoverInRuns: true));
        var alone = enforcer.Evaluate(SelectOnly, "app", null, Classifier.Classify(sql, recoverInRuns: false));
        Assert.True(withRuns.Decision >= alone.Decision, $"runs: {withRuns.Decision}, piece by piece: {alone.Decision}");

        // Every one of these inputs has a piece that does not parse (or writes): none may be allowed.
        Assert.Equal(Decision.Deny, withRuns.Decision);
    }

    [Fact]
    public void Classify_SmuggledStatementsAfterABadPiece_AreClassifiedNotHidden()
    {
        var batch = Classifier.Classify("SELEC 1; SELECT $$;$$; DELETE FROM t; SELECT 'a;'; DROP TABLE u; SELECT \"b;\"");
        Assert.Equal(["UNPARSEABLE", "SELECT", "DELETE", "SELECT", "DROP TABLE", "SELECT"], batch.Statements.Select(s => s.Tag));
        Assert.Equal("DELETE FROM t", batch.Statements[2].Text);
        Assert.Equal("DROP TABLE u", batch.Statements[4].Text);
    }

    [Fact]
    public void Classify_AtomicBodyWithEndAsColumnLabel_BodyStatementsDoNotPassAsSelects()
    {
        // The splitter ends the body at "AS end"; the parser reads on to the real END. Whatever the
        // pieces, the DELETE inside the body is never a statement of its own that a SELECT-only
        // policy would see as harmless, and the SELECT after it is no part of an allowed batch.
        const string sql = "SELEC 0; CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1 AS end; DELETE FROM t; END; SELECT 2";
        var batch = Classifier.Classify(sql);
        Assert.Equal(Decision.Deny, new PolicyEnforcer().Evaluate(SelectOnly, "app", null, batch).Decision);
        Assert.DoesNotContain(batch.Statements, s => s.IsParsed && s.Text.Contains("DELETE", StringComparison.Ordinal) && s.Tag != "DELETE" && s.Tag != "CREATE FUNCTION");
    }

    [Fact]
    public void Classify_UnterminatedQuoteInALaterPiece_WholeBatchUnparseable()
    {
        // The lexer fails, so no cut is trusted: one UNPARSEABLE statement holding every byte.
        foreach (var sql in new[] { "SELEC 1; SELECT 2; SELECT 'x; DELETE FROM t", "SELEC 1; SELECT $a$ ; DROP TABLE t", "SELEC; SELECT 1 /* ; DROP TABLE t", "SELEC; SELECT \"a; DROP" })
        {
            var statement = Assert.Single(Classifier.Classify(sql).Statements);
            Assert.False(statement.IsParsed);
            Assert.Equal(sql, statement.Text);
        }
    }

    [Fact]
    public void Classify_NulAfterABadPiece_WholeBatchUnparseable()
    {
        var statement = Assert.Single(Classifier.Classify("SELEC 1; SELECT 1;\0DROP TABLE t").Statements);
        Assert.False(statement.IsParsed);
    }

    /// <summary>
    /// The finding of this review: after every failure the runs went on to the end of the batch, and
    /// libpg_query (like the copy made for it) reads its whole input before the first token, so a
    /// batch of many failing pieces cost quadratic time: "x;;" repeated to the 1 MiB limit took
    /// 10.8 s with runs and 1.1 s piece by piece. The bytes handed to libpg_query now stay within
    /// MinRunBytes per failing piece plus a small multiple of the batch.
    /// </summary>
    [Theory]
    [InlineData("x;;")]
    [InlineData("SELEC;SELECT 1;")]
    [InlineData("SELECT 1; SELECT 2; SELEC 3;")]
    public void Recovery_ManyFailingPieces_WorkStaysLinear(string unit)
    {
        long Work(int repeats)
        {
            var text = new Utf8Text(string.Concat(Enumerable.Repeat(unit, repeats)));
            var (batch, scanError) = BatchTokens.Scan(text);
            Assert.Null(scanError);
            var wholeError = LibPgQuery.ParseInPlace(text.Bytes, 0, static (_, _) => { });
            Assert.NotNull(wholeError);
            return BatchRecovery.Classify([], [], batch!, wholeError, inRuns: true);
        }

        var small = Work(5_000);
        var large = Work(20_000);
        var failing = 20_000L;
        var length = 20_000L * unit.Length;
        Assert.True(large <= (failing * (BatchRecovery.MinRunBytes + 64)) + (4 * length), $"{large} bytes parsed for a batch of {length}");
        Assert.True(large < small * 6, $"four times the batch, {large / (double)small:F1} times the work");
    }
}
