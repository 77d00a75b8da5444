namespace Rose.Core.Sql.Native;

/// <summary>
/// Splits a batch that does not parse as a whole into pieces at top-level semicolons, from the
/// real PostgreSQL lexer's tokens. Unlike pg_query_split_with_scanner (which silently drops a
/// statement that starts with a non-keyword, e.g. "SELEC 1"), every byte of the batch lands in
/// exactly one piece, so nothing can hide between pieces.
/// </summary>
internal static class StatementSplitter
{
    /// <summary>Byte ranges of the pieces (semicolons excluded), or the lexer error.</summary>
    public static (List<(int Start, int Length)> Pieces, NativeParseError? Error) Split(Utf8Text text)
    {
        var scan = LibPgQuery.Scan(text.Bytes);
        if (scan.Error is not null)
        {
            return ([], scan.Error);
        }

        var tokens = ScanTokens.Decode(scan.Protobuf);
        var pieces = new List<(int, int)>();
        var pieceStart = 0;
        var parenDepth = 0;
        var atomicDepth = 0; // inside BEGIN ATOMIC ... END of a SQL-standard function body
        string? previousWord = null;

        foreach (var token in tokens)
        {
            switch (token.Token)
            {
                case ScanTokens.OpenParen:
                    parenDepth++;
                    break;
                case ScanTokens.CloseParen:
                    parenDepth = Math.Max(0, parenDepth - 1);
                    break;
                case ScanTokens.Semicolon when parenDepth == 0 && atomicDepth == 0:
                    pieces.Add((pieceStart, token.Start - pieceStart));
                    pieceStart = token.End;
                    break;
            }

            if (token.Token is ScanTokens.SqlComment or ScanTokens.CComment)
            {
                continue;
            }

            // Keywords are matched on their text: BEGIN ATOMIC opens a body whose semicolons do not
            // end the statement; CASE ... END nests inside it.
            var word = token.KeywordKind != 0 ? Word(text, token) : null;
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

        if (pieceStart < text.ByteLength)
        {
            pieces.Add((pieceStart, text.ByteLength - pieceStart));
        }

        return (pieces, null);
    }

    private static string Word(Utf8Text text, ScanToken token) =>
        System.Text.Encoding.UTF8.GetString(text.Bytes, token.Start, Math.Max(0, token.End - token.Start)).ToUpperInvariant();
}
