namespace Rose.Console.Components.Pages.Workbench;

public enum TokenKind
{
    Word,
    Space,
    Literal,
    LineComment,
    BlockComment,
    Other,
}

public readonly record struct SqlToken(TokenKind Kind, string Text);

/// <summary>
/// Splits SQL into words, blanks, literals (strings, quoted identifiers, dollar quotes) and comments,
/// just enough for the formatter to leave everything but keywords and blanks alone.
/// </summary>
public static class SqlTokenizer
{
    public static List<SqlToken> Tokenize(string sql)
    {
        var tokens = new List<SqlToken>();
        var i = 0;
        while (i < sql.Length)
        {
            var c = sql[i];
            var start = i;
            if (char.IsWhiteSpace(c))
            {
                while (i < sql.Length && char.IsWhiteSpace(sql[i]))
                {
                    i++;
                }

                tokens.Add(new(TokenKind.Space, sql[start..i]));
            }
            else if (c == '-' && Next(sql, i) == '-')
            {
                i = sql.IndexOf('\n', i);
                i = i < 0 ? sql.Length : i + 1;
                tokens.Add(new(TokenKind.LineComment, sql[start..i]));
            }
            else if (c == '/' && Next(sql, i) == '*')
            {
                i = SkipBlockComment(sql, i);
                tokens.Add(new(TokenKind.BlockComment, sql[start..i]));
            }
            else if (c is '\'' or '"')
            {
                i = SkipQuoted(sql, i, c);
                tokens.Add(new(TokenKind.Literal, sql[start..i]));
            }
            else if (c == '$' && DollarTag(sql, i) is { } tag)
            {
                var close = sql.IndexOf(tag, i + tag.Length, StringComparison.Ordinal);
                i = close < 0 ? sql.Length : close + tag.Length;
                tokens.Add(new(TokenKind.Literal, sql[start..i]));
            }
            else if (char.IsLetter(c) || c == '_')
            {
                while (i < sql.Length && (char.IsLetterOrDigit(sql[i]) || sql[i] is '_' or '$'))
                {
                    i++;
                }

                // E'...' and similar prefixed strings stay one literal.
                if (i < sql.Length && sql[i] == '\'' && i - start == 1)
                {
                    i = SkipQuoted(sql, i, '\'');
                    tokens.Add(new(TokenKind.Literal, sql[start..i]));
                }
                else
                {
                    tokens.Add(new(TokenKind.Word, sql[start..i]));
                }
            }
            else
            {
                tokens.Add(new(TokenKind.Other, sql[i..(i + 1)]));
                i++;
            }
        }

        return tokens;
    }

    private static char Next(string sql, int i) => i + 1 < sql.Length ? sql[i + 1] : '\0';

    private static int SkipQuoted(string sql, int i, char quote)
    {
        i++;
        while (i < sql.Length)
        {
            if (sql[i] == quote)
            {
                // A doubled quote is an escaped quote, not the end.
                if (Next(sql, i) == quote)
                {
                    i += 2;
                    continue;
                }

                return i + 1;
            }

            i++;
        }

        return sql.Length;
    }

    private static int SkipBlockComment(string sql, int i)
    {
        // PostgreSQL block comments nest.
        var depth = 0;
        while (i < sql.Length)
        {
            if (sql[i] == '/' && Next(sql, i) == '*')
            {
                depth++;
                i += 2;
            }
            else if (sql[i] == '*' && Next(sql, i) == '/')
            {
                depth--;
                i += 2;
                if (depth == 0)
                {
                    return i;
                }
            }
            else
            {
                i++;
            }
        }

        return sql.Length;
    }

    private static string? DollarTag(string sql, int i)
    {
        var j = i + 1;
        while (j < sql.Length && (char.IsLetterOrDigit(sql[j]) || sql[j] == '_'))
        {
            j++;
        }

        return j < sql.Length && sql[j] == '$' && (j == i + 1 || !char.IsDigit(sql[i + 1])) ? sql[i..(j + 1)] : null;
    }
}
