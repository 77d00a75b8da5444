using Rose.Core.Sql.Native;

namespace Rose.Core.Sql;

/// <summary>What a lexer token is, as PostgreSQL's own lexer reports it.</summary>
public enum SqlTokenKind
{
    /// <summary>A keyword (reserved or not; unreserved ones may still be used as names).</summary>
    Keyword,

    /// <summary>An unquoted or quoted identifier (quoted ones start with a double quote or U&amp;").</summary>
    Identifier,

    /// <summary>A string constant: '...', E'...', U&amp;'...', B'...', X'...', $tag$...$tag$.</summary>
    String,

    /// <summary>An integer or numeric constant.</summary>
    Number,

    /// <summary>A positional parameter ($1).</summary>
    Parameter,

    /// <summary>An operator, including the multi-character ones (::, :=, =>, &lt;=, ...).</summary>
    Operator,

    /// <summary>Single-character punctuation: ( ) , ; [ ] . and the like.</summary>
    Punctuation,

    /// <summary>A "--" comment, up to but not including the line break that ends it.</summary>
    LineComment,

    /// <summary>A "/* */" comment (they nest).</summary>
    BlockComment,
}

/// <summary>One token: a UTF-16 range of the scanned text and its kind. Everything between tokens is whitespace.</summary>
public readonly record struct SqlLexeme(int Start, int Length, SqlTokenKind Kind)
{
    public int End => Start + Length;
}

/// <summary>The tokens of a text, or the lexer's error (e.g. an unterminated quoted string) with its UTF-16 position.</summary>
public sealed record SqlScan(IReadOnlyList<SqlLexeme> Tokens, SqlParseError? Error)
{
    public bool Succeeded => Error is null;
}

/// <summary>
/// PostgreSQL 17's lexer (libpg_query's pg_query_scan) for code that needs to know where comments,
/// strings, identifiers and keywords begin and end: the workbench's highlighting, formatting and
/// statement lookup use this instead of rules of their own, so they agree with the classifier.
/// </summary>
public static class SqlLexer
{
    /// <summary>Scans the text. A NUL character is an error (PostgreSQL refuses it and the C lexer would stop there).</summary>
    public static SqlScan Scan(string sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        var nul = sql.IndexOf('\0', StringComparison.Ordinal);
        if (nul >= 0)
        {
            return new SqlScan([], new SqlParseError("the text contains a NUL character", nul));
        }

        LibPgQuery.EnsureLoaded();
        var text = new Utf8Text(sql);
        var (batch, error) = BatchTokens.Scan(text);
        if (batch is null)
        {
            return new SqlScan([], new SqlParseError(error!.Message, text.CursorToCharOffset(error.CursorPosition, 0, sql.Length)));
        }

        var tokens = new List<SqlLexeme>(batch.Tokens.Length);
        foreach (var token in batch.Tokens)
        {
            var start = text.CharOffset(token.Start);
            tokens.Add(new SqlLexeme(start, text.CharOffset(token.End) - start, KindOf(token)));
        }

        return new SqlScan(tokens, null);
    }

    private static SqlTokenKind KindOf(ScanToken token) => token.Token switch
    {
        ScanTokens.SqlComment => SqlTokenKind.LineComment,
        ScanTokens.CComment => SqlTokenKind.BlockComment,
        _ when token.KeywordKind != 0 => SqlTokenKind.Keyword,
        ScanTokens.Ident or ScanTokens.UIdent => SqlTokenKind.Identifier,
        ScanTokens.SConst or ScanTokens.USConst or ScanTokens.BConst or ScanTokens.XConst => SqlTokenKind.String,
        ScanTokens.IConst or ScanTokens.FConst => SqlTokenKind.Number,
        ScanTokens.Param => SqlTokenKind.Parameter,
        < 256 when token.Token is ',' or ';' or '(' or ')' or '[' or ']' or '.' or ':' => SqlTokenKind.Punctuation,
        _ => SqlTokenKind.Operator,
    };
}
