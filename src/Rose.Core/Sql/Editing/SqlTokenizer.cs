namespace Rose.Core.Sql.Editing;

/// <summary>
/// The editor text as PostgreSQL 17's own lexer sees it (Rose.Core's <see cref="SqlLexer"/>):
/// keywords, identifiers, literals (strings and numbers), comments, other symbols, and the blanks
/// between them. No rule of its own decides where a comment, string or quoted name ends.
/// </summary>
public static class SqlTokenizer
{
    /// <summary>The tokens with the blanks between them; concatenated they give back the text exactly.
    /// When the lexer fails (e.g. an unterminated quote) the whole text is one <see cref="TokenKind.Other"/> token.</summary>
    public static List<SqlToken> Tokenize(string sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        var scan = SqlLexer.Scan(sql);
        if (!scan.Succeeded)
        {
            return sql.Length == 0 ? [] : [new(TokenKind.Other, sql)];
        }

        var tokens = new List<SqlToken>(scan.Tokens.Count * 2);
        var position = 0;
        foreach (var lexeme in scan.Tokens)
        {
            if (lexeme.Start > position)
            {
                tokens.Add(new(TokenKind.Space, sql[position..lexeme.Start]));
            }

            tokens.Add(new(KindOf(lexeme.Kind), sql.Substring(lexeme.Start, lexeme.Length)));
            position = lexeme.End;
        }

        if (position < sql.Length)
        {
            tokens.Add(new(TokenKind.Space, sql[position..]));
        }

        return tokens;
    }

    /// <summary>True when the lexer reads the text without error (the formatter leaves unreadable text alone).</summary>
    public static bool IsReadable(string sql) => SqlLexer.Scan(sql).Succeeded;

    private static TokenKind KindOf(SqlTokenKind kind) => kind switch
    {
        SqlTokenKind.Keyword => TokenKind.Keyword,
        SqlTokenKind.Identifier => TokenKind.Word,
        SqlTokenKind.String or SqlTokenKind.Number => TokenKind.Literal,
        SqlTokenKind.LineComment => TokenKind.LineComment,
        SqlTokenKind.BlockComment => TokenKind.BlockComment,
        _ => TokenKind.Other,
    };
}
