using System.Net;
using System.Text;

namespace Rose.Console.Components.Pages.Audit;

/// <summary>
/// A small SQL highlighter for display only. It splits text into comments, strings (including E'' and
/// dollar quotes), quoted identifiers, numbers, keywords and the rest, and HTML-encodes every piece:
/// the only markup in its output is its own span tags, so hostile SQL in the audit log stays text.
/// </summary>
public static class SqlHighlighter
{
    private static readonly HashSet<string> Keywords = new(StringComparer.OrdinalIgnoreCase)
    {
        "select", "from", "where", "and", "or", "not", "insert", "into", "values", "update", "set", "delete", "create",
        "table", "index", "drop", "alter", "add", "column", "truncate", "join", "left", "right", "inner", "outer", "full",
        "cross", "on", "as", "group", "by", "order", "having", "limit", "offset", "union", "all", "distinct", "with",
        "returning", "case", "when", "then", "else", "end", "null", "is", "in", "exists", "between", "like", "ilike",
        "begin", "commit", "rollback", "grant", "revoke", "explain", "analyze", "vacuum", "function", "returns",
        "language", "view", "schema", "sequence", "primary", "key", "foreign", "references", "unique", "default",
        "constraint", "check", "cascade", "if", "true", "false", "asc", "desc", "do", "nothing", "conflict", "using",
        "role", "user", "password", "copy", "to", "execute", "prepare", "call", "procedure", "trigger", "lock",
    };

    public static string ToHtml(string? sql)
    {
        if (string.IsNullOrEmpty(sql))
        {
            return "";
        }

        var html = new StringBuilder(sql.Length * 2);
        var i = 0;
        while (i < sql.Length)
        {
            var start = i;
            var c = sql[i];
            string? css;
            if (c == '-' && At(sql, i + 1, '-'))
            {
                i = IndexOrEnd(sql, "\n", i);
                css = "sql-comment";
            }
            else if (c == '/' && At(sql, i + 1, '*'))
            {
                var close = sql.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = close < 0 ? sql.Length : close + 2;
                css = "sql-comment";
            }
            else if (c == '\'' || ((c is 'E' or 'e') && At(sql, i + 1, '\'')))
            {
                i = EndOfQuoted(sql, c == '\'' ? i : i + 1, '\'', backslashEscapes: c != '\'');
                css = "sql-string";
            }
            else if (c == '"')
            {
                i = EndOfQuoted(sql, i, '"', backslashEscapes: false);
                css = "sql-ident";
            }
            else if (c == '$' && DollarTag(sql, i) is { } tag)
            {
                var close = sql.IndexOf(tag, i + tag.Length, StringComparison.Ordinal);
                i = close < 0 ? sql.Length : close + tag.Length;
                css = "sql-string";
            }
            else if (char.IsAsciiDigit(c))
            {
                while (i < sql.Length && (char.IsAsciiDigit(sql[i]) || sql[i] == '.'))
                {
                    i++;
                }

                css = "sql-number";
            }
            else if (char.IsLetter(c) || c == '_')
            {
                while (i < sql.Length && (char.IsLetterOrDigit(sql[i]) || sql[i] is '_' or '$'))
                {
                    i++;
                }

                css = Keywords.Contains(sql[start..i]) ? "sql-keyword" : null;
            }
            else
            {
                i++;
                css = null;
            }

            var text = WebUtility.HtmlEncode(sql[start..i]);
            if (css is null)
            {
                html.Append(text);
            }
            else
            {
                html.Append("<span class=\"").Append(css).Append("\">").Append(text).Append("</span>");
            }
        }

        return html.ToString();
    }

    private static bool At(string s, int i, char c) => i < s.Length && s[i] == c;

    private static int IndexOrEnd(string s, string what, int from)
    {
        var at = s.IndexOf(what, from, StringComparison.Ordinal);
        return at < 0 ? s.Length : at;
    }

    private static int EndOfQuoted(string s, int open, char quote, bool backslashEscapes)
    {
        var i = open + 1;
        while (i < s.Length)
        {
            if (backslashEscapes && s[i] == '\\')
            {
                i += 2;
                continue;
            }

            if (s[i] == quote)
            {
                if (At(s, i + 1, quote))
                {
                    i += 2;
                    continue;
                }

                return i + 1;
            }

            i++;
        }

        return s.Length;
    }

    /// <summary>$tag$ or $$ at i, or null when the $ starts something else ($1 parameters).</summary>
    private static string? DollarTag(string s, int i)
    {
        var j = i + 1;
        while (j < s.Length && (char.IsLetterOrDigit(s[j]) || s[j] == '_'))
        {
            if (j == i + 1 && char.IsAsciiDigit(s[j]))
            {
                return null;
            }

            j++;
        }

        return At(s, j, '$') ? s[i..(j + 1)] : null;
    }
}
