using System.Text;
using Rose.Core.Sql;

namespace Rose.Core.Tests.Sql;

/// <summary>
/// What is sent is what was classified, as properties over PostgreSQL's regression corpus and over
/// generated batches full of the characters and constructs that fooled hand-written lexers: every
/// non-whitespace, non-comment character of a batch lies in exactly one statement (or the batch is
/// one UNPARSEABLE statement), each statement's text is its exact span of the input, and that text
/// parsed on its own (as the server will) is the same single statement.
/// </summary>
public sealed class StatementSpanPropertyTests
{
    private static readonly PgQueryClassifier Classifier = new();

    /// <summary>What PostgreSQL's lexer skips between tokens.</summary>
    private static bool IsLexerSpace(char c) => c is ' ' or '\t' or '\n' or '\r' or '\f' or '\v';

    private static readonly string[] Pieces =
    [
        "SELECT 1", "DELETE FROM t", "SELECT $q$;$q$", "SELECT $q$\nDELETE FROM t --$q$", "SELECT E'a\\';b'",
        "SELECT U&'\\0061;' UESCAPE '\\'", "SELECT \"a;b\" FROM t", "SELECT 'x''--;y'", "/* a /* ; */ b */ SELECT 2",
        "SELECT 1 -- c ; DROP TABLE t", "SELEC 2", "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END",
        "SELECT 1_000, 0x1F", "SELECT * FROM t FOR UPDATE", "DROP TABLE \"t;--\"", "SELECT $1", "",
    ];

    /// <summary>Every ASCII control character, DEL, and the Unicode characters some tools treat as line breaks or blanks.</summary>
    private static IEnumerable<string> Separators()
    {
        for (var c = 1; c < 0x20; c++)
        {
            yield return ((char)c).ToString();
        }

        yield return "\u007f";
        yield return "\r\n";
        yield return "\u0085";
        yield return "\u2028";
        yield return "\u2029";
        yield return "\u00a0";
        yield return "\ufeff";
        yield return " ";
    }

    private static List<string> GeneratedBatches()
    {
        var data = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var sep in Separators())
        {
            foreach (var shape in new[] { "{0};{1}{2}", "{0};--x{1}{2}", "{0}; --{1}{2}", "{0};/*{1}*/{2}", "{0}{1};{1}{2}{1}", "{1}{0};{1}--{1}{2};{1}" })
            {
                for (var i = 0; i < Pieces.Length; i++)
                {
                    // Pair each piece with the next one so every piece meets every separator and shape.
                    var batch = string.Format(shape, Pieces[i], sep, Pieces[(i + 7) % Pieces.Length]);
                    if (seen.Add(batch))
                    {
                        data.Add(batch);
                    }
                }
            }
        }

        data.Add("SELECT 1; --\rDELETE FROM customers");
        data.Add("SELECT 1 FROM customers LIMIT 1 FOR UPDATE; --x\rSELECT $q$\nDELETE FROM app_events --$q$");
        data.Add("\ufeffSELECT 1; DELETE FROM t");
        data.Add("SELECT 1;\0DELETE FROM t");
        data.Add("SELECT 1; /* /* */ DELETE FROM t; */ SELECT 2");
        data.Add("SELECT 1; SELECT '\r\n;DELETE FROM t';\r\nSELECT 2");
        data.Add("SELECT $a$ $b$ ; $b$ ; $a$; DELETE FROM t WHERE x = $$;$$");
        return data;
    }

    [Fact]
    public void Classify_GeneratedBatches_SpansCoverTheInputAndReparse()
    {
        var batches = GeneratedBatches();
        var refusedWhole = batches.Count(sql => AssertSpansSound(sql) == 0);

        // Whole refusals are for NUL and lexer errors only (the control character U+0001 and its
        // kin are tokens PostgreSQL cannot parse, so they stay inside one UNPARSEABLE statement).
        Assert.True(batches.Count > 1000, $"only {batches.Count} generated batches");
        Assert.True(refusedWhole < batches.Count / 10, $"{refusedWhole} of {batches.Count} generated batches were refused whole");
    }

    [Fact]
    public void Classify_RegressionCorpus_SpansCoverEveryFileAndReparse()
    {
        var statements = 0;
        foreach (var file in CorpusLocator.SqlFiles())
        {
            statements += AssertSpansSound(File.ReadAllText(file), Path.GetFileName(file));
        }

        Assert.True(statements > 10_000, $"only {statements} statements in the corpus");
    }

    /// <summary>The properties; returns how many statements were checked.</summary>
    private static int AssertSpansSound(string sql, string? name = null)
    {
        var label = name ?? Visible(sql);
        var batch = Classifier.Classify(sql);
        var statements = batch.Statements;
        Assert.DoesNotContain(statements, s => s.Error?.Message.Contains("could not be verified", StringComparison.Ordinal) == true);
        if (statements.Count == 1 && statements[0].Kind == StatementKind.Unparseable && statements[0].Text == sql)
        {
            return 0; // the whole batch refused: nothing of it can run
        }

        Assert.False(sql.Contains('\0'), $"{label}: a batch with NUL must be refused whole");
        var scan = SqlLexer.Scan(sql);
        Assert.True(scan.Succeeded, $"{label}: the lexer failed but the batch was not refused whole");

        var previousEnd = 0;
        foreach (var s in statements)
        {
            Assert.True(s.Start >= previousEnd && s.Length > 0, $"{label}: statement {s.Index} overlaps or is empty");
            Assert.Equal(sql.Substring(s.Start, s.Length), s.Text);
            previousEnd = s.Start + s.Length;
        }

        // Every token is inside exactly one statement, or a comment, or a separating semicolon.
        var covered = new int[sql.Length + 1];
        foreach (var s in statements)
        {
            covered[s.Start]++;
            covered[s.Start + s.Length]--;
        }

        var depth = 0;
        var inStatement = new bool[sql.Length];
        for (var i = 0; i < sql.Length; i++)
        {
            depth += covered[i];
            inStatement[i] = depth == 1;
        }

        var position = 0;
        foreach (var token in scan.Tokens)
        {
            for (; position < token.Start; position++)
            {
                Assert.True(IsLexerSpace(sql[position]) || inStatement[position],
                    $"{label}: char {(int)sql[position]:x} at {position} is neither whitespace nor in a statement");
            }

            var isTrivia = token.Kind is SqlTokenKind.LineComment or SqlTokenKind.BlockComment
                || (token.Length == 1 && sql[token.Start] == ';');
            var allIn = Enumerable.Range(token.Start, token.Length).All(i => inStatement[i]);
            var noneIn = Enumerable.Range(token.Start, token.Length).All(i => !inStatement[i]);
            Assert.True(allIn || (noneIn && isTrivia),
                $"{label}: token '{Visible(sql.Substring(token.Start, token.Length))}' at {token.Start} is outside every statement or crosses one");
            position = token.End;
        }

        for (; position < sql.Length; position++)
        {
            Assert.True(IsLexerSpace(sql[position]), $"{label}: trailing char {(int)sql[position]:x} at {position} is not whitespace");
        }

        // The text the executor sends, parsed alone, is the same one statement.
        foreach (var s in statements.Where(s => s.IsParsed))
        {
            var again = Classifier.Classify(s.Text).Statements;
            Assert.True(again.Count == 1 && again[0].Node == s.Node && again[0].Text == s.Text,
                $"{label}: statement {s.Index} '{Visible(s.Text)}' ({s.Node}) re-parses as [{string.Join(", ", again.Select(a => a.Node))}]");
        }

        return statements.Count;
    }

    private static string Visible(string text)
    {
        var sb = new StringBuilder();
        foreach (var c in text.Length > 200 ? text[..200] : text)
        {
            sb.Append(c < 0x20 || c is '\u007f' or '\u0085' or '\u2028' or '\u2029' or '\ufeff' ? $"\\u{(int)c:x4}" : c.ToString());
        }

        return sb.ToString();
    }
}
