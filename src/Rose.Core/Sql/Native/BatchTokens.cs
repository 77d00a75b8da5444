namespace Rose.Core.Sql.Native;

/// <summary>
/// A batch with the tokens PostgreSQL's own lexer (pg_query_scan) finds in it. Everything Rose
/// decides about where a statement, a comment or a string begins and ends comes from these tokens:
/// statement text is cut from the first to the last non-comment token of the parser's range, and
/// the whole batch is checked so that no byte outside a comment or whitespace escapes a statement.
/// </summary>
internal sealed class BatchTokens
{
    private BatchTokens(Utf8Text text, ScanToken[] tokens)
    {
        Text = text;
        Tokens = tokens;
    }

    public Utf8Text Text { get; }

    /// <summary>All tokens in input order, comments included.</summary>
    public ScanToken[] Tokens { get; }

    /// <summary>Scans the batch; the error is the lexer's (e.g. an unterminated quoted string or comment).</summary>
    public static (BatchTokens? Tokens, NativeParseError? Error) Scan(Utf8Text text)
    {
        var (tokens, error) = LibPgQuery.ScanToTokens(text.Bytes);
        return error is not null ? (null, error) : (new BatchTokens(text, tokens!), null);
    }

    /// <summary>
    /// The byte range from the first to the last non-comment token lying inside [byteStart, byteEnd):
    /// the statement as written, comments between its tokens included, without the comments and
    /// whitespace around it. Null when the range holds only comments and whitespace.
    /// </summary>
    public (int Start, int End)? Trim(int byteStart, int byteEnd)
    {
        int? first = null;
        var last = 0;
        for (var i = FirstAtOrAfter(byteStart); i < Tokens.Length && Tokens[i].Start < byteEnd; i++)
        {
            var token = Tokens[i];
            if (ScanTokens.IsComment(token.Token))
            {
                continue;
            }

            first ??= token.Start;
            last = Math.Min(token.End, byteEnd);
        }

        return first is { } start ? (start, last) : null;
    }

    /// <summary>
    /// Checks that the statement ranges (byte offsets, in order) account for the whole batch: they
    /// do not overlap, none cuts through a token, and every token outside them is a comment or a
    /// separating semicolon, every byte outside any token is lexer whitespace. Returns what is
    /// wrong, or null when the batch is fully covered.
    /// </summary>
    public string? CoverageProblem(IReadOnlyList<(int Start, int End)> statements)
    {
        var previousEnd = 0;
        foreach (var (start, end) in statements)
        {
            if (start < previousEnd || end <= start)
            {
                return "the statements of the batch overlap";
            }

            previousEnd = end;
        }

        var s = 0;
        var covered = 0; // bytes before this offset were accounted for
        foreach (var token in Tokens)
        {
            if (token.Start < covered || token.End < token.Start || token.End > Text.ByteLength)
            {
                return "the lexer reported tokens out of order";
            }

            if (FirstNonWhitespace(covered, token.Start) is { } stray)
            {
                return $"byte {stray} lies outside every token";
            }

            covered = token.End;
            while (s < statements.Count && statements[s].End <= token.Start)
            {
                s++;
            }

            var inside = s < statements.Count && statements[s].Start <= token.Start;
            if (inside && token.End > statements[s].End)
            {
                return $"a token at byte {token.Start} crosses the end of a statement";
            }

            if (!inside && s < statements.Count && token.End > statements[s].Start)
            {
                return $"a token at byte {token.Start} crosses the start of a statement";
            }

            if (!inside && !ScanTokens.IsComment(token.Token) && token.Token != ScanTokens.Semicolon)
            {
                return $"the text at byte {token.Start} belongs to no statement";
            }
        }

        return FirstNonWhitespace(covered, Text.ByteLength) is { } tail ? $"byte {tail} lies outside every token" : null;
    }

    /// <summary>The first byte in [from, to) that the lexer would not skip as whitespace.</summary>
    private int? FirstNonWhitespace(int from, int to)
    {
        for (var i = from; i < to; i++)
        {
            if (!ScanTokens.IsLexerWhitespace(Text.Bytes[i]))
            {
                return i;
            }
        }

        return null;
    }

    private int FirstAtOrAfter(int byteStart)
    {
        int lo = 0, hi = Tokens.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (Tokens[mid].Start < byteStart)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}
