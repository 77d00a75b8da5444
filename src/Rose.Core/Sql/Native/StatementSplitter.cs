namespace Rose.Core.Sql.Native;

/// <summary>
/// Splits a batch that does not parse as a whole into pieces at top-level semicolons, from the
/// real PostgreSQL lexer's tokens, the way psql decides where a statement ends: semicolons inside
/// parentheses (CREATE RULE ... DO (a; b)) or inside a BEGIN ATOMIC ... END body do not end one.
/// Unlike pg_query_split_with_scanner (which silently drops a statement that starts with a
/// non-keyword, e.g. "SELEC 1"), every token of the batch lands in exactly one piece. A piece that
/// wrongly holds two statements is still safe: it is parsed whole, so it either yields each of its
/// statements or becomes one UNPARSEABLE statement.
/// </summary>
internal static class StatementSplitter
{
    /// <summary>Byte ranges of the pieces (separating semicolons excluded).</summary>
    public static List<(int Start, int End)> Split(BatchTokens batch)
    {
        var pieces = new List<(int, int)>();
        var pieceStart = 0;
        var parenDepth = 0;
        var atomicDepth = 0; // inside BEGIN ATOMIC ... END of a SQL-standard function body
        var previousWord = Keyword.None;

        foreach (var token in batch.Tokens)
        {
            if (ScanTokens.IsComment(token.Token))
            {
                continue;
            }

            switch (token.Token)
            {
                case ScanTokens.OpenParen:
                    parenDepth++;
                    break;
                case ScanTokens.CloseParen:
                    parenDepth = Math.Max(0, parenDepth - 1);
                    break;
                case ScanTokens.Semicolon when parenDepth == 0 && atomicDepth == 0:
                    pieces.Add((pieceStart, token.Start));
                    pieceStart = token.End;
                    break;
            }

            // Keyword codes differ between libpg_query versions, so keywords are matched on their
            // text: BEGIN ATOMIC opens a body whose semicolons do not end the statement; CASE ... END
            // nests inside it.
            // Only these four words matter, so the others are not decoded at all.
            var word = token.KeywordKind != 0 ? Word(batch.Text, token) : Keyword.None;
            if (word == Keyword.Atomic && previousWord == Keyword.Begin)
            {
                atomicDepth = 1;
            }
            else if (atomicDepth > 0 && word == Keyword.Case)
            {
                atomicDepth++;
            }
            else if (atomicDepth > 0 && word == Keyword.End)
            {
                atomicDepth--;
            }

            previousWord = word;
        }

        if (pieceStart < batch.Text.ByteLength)
        {
            pieces.Add((pieceStart, batch.Text.ByteLength));
        }

        return pieces;
    }

    /// <summary>The keywords the splitter tracks; every other keyword is <see cref="Other"/>.</summary>
    private enum Keyword
    {
        None,
        Other,
        Begin,
        Atomic,
        Case,
        End,
    }

    /// <summary>
    /// Which tracked keyword a keyword token spells, in any letter case. The lexer only reports
    /// keywords for ASCII words (it downcases ASCII alone before its keyword lookup), so an ASCII
    /// case-insensitive comparison of the bytes is exact.
    /// </summary>
    private static Keyword Word(Utf8Text text, ScanToken token)
    {
        var bytes = text.Bytes.AsSpan(token.Start, Math.Max(0, token.End - token.Start));
        return System.Text.Ascii.EqualsIgnoreCase(bytes, "BEGIN"u8) ? Keyword.Begin
            : System.Text.Ascii.EqualsIgnoreCase(bytes, "ATOMIC"u8) ? Keyword.Atomic
            : System.Text.Ascii.EqualsIgnoreCase(bytes, "CASE"u8) ? Keyword.Case
            : System.Text.Ascii.EqualsIgnoreCase(bytes, "END"u8) ? Keyword.End
            : Keyword.Other;
    }
}
