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
        string? previousWord = null;

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
            var word = token.KeywordKind != 0 ? Word(batch.Text, token) : null;
            if (word == "ATOMIC" && previousWord == "BEGIN")
            {
                atomicDepth = 1;
            }
            else if (atomicDepth > 0 && word == "CASE")
            {
                atomicDepth++;
            }
            else if (atomicDepth > 0 && word == "END")
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

    private static string Word(Utf8Text text, ScanToken token) =>
        System.Text.Encoding.UTF8.GetString(text.Bytes, token.Start, Math.Max(0, token.End - token.Start)).ToUpperInvariant();
}
