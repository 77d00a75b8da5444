namespace Rose.Core.Sql;

/// <summary>
/// Trims what PostgreSQL ignores around a statement: whitespace on both ends and comments in
/// front (libpg_query's statement ranges start right after the previous semicolon). Trailing
/// comments are kept: finding where a "--" comment starts needs a forward scan of the statement
/// and they are harmless in the text sent to the server.
/// </summary>
internal static class SqlTrivia
{
    public static (int Start, int End) Trim(string text, int start, int end)
    {
        while (start < end)
        {
            if (char.IsWhiteSpace(text[start]))
            {
                start++;
            }
            else if (text[start] == '-' && start + 1 < end && text[start + 1] == '-')
            {
                var newline = text.IndexOf('\n', start, end - start);
                start = newline < 0 ? end : newline + 1;
            }
            else if (text[start] == '/' && start + 1 < end && text[start + 1] == '*')
            {
                start = SkipBlockComment(text, start, end);
            }
            else
            {
                break;
            }
        }

        while (end > start && char.IsWhiteSpace(text[end - 1]))
        {
            end--;
        }

        return (start, end);
    }

    /// <summary>PostgreSQL block comments nest: /* /* */ */ is one comment.</summary>
    private static int SkipBlockComment(string text, int start, int end)
    {
        var depth = 0;
        var i = start;
        while (i < end)
        {
            if (text[i] == '/' && i + 1 < end && text[i + 1] == '*')
            {
                depth++;
                i += 2;
            }
            else if (text[i] == '*' && i + 1 < end && text[i + 1] == '/')
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

        return end;
    }
}
