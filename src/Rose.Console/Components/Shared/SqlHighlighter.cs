using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Rose.Console.Components.Shared;

/// <summary>Turns SQL into HTML spans for colouring. Display only: the parser, not this, classifies SQL.</summary>
public static partial class SqlHighlighter
{
    private static readonly HashSet<string> Keywords = new(StringComparer.OrdinalIgnoreCase)
    {
        "select", "from", "where", "and", "or", "not", "insert", "into", "values", "update", "set", "delete", "merge",
        "create", "alter", "drop", "truncate", "table", "index", "view", "function", "procedure", "trigger", "schema",
        "sequence", "database", "role", "grant", "revoke", "on", "to", "as", "with", "recursive", "join", "left", "right",
        "inner", "outer", "full", "cross", "lateral", "using", "group", "by", "order", "having", "limit", "offset", "union",
        "all", "distinct", "case", "when", "then", "else", "end", "is", "null", "true", "false", "in", "exists", "between",
        "like", "ilike", "returning", "begin", "commit", "rollback", "explain", "analyze", "vacuum", "copy", "do", "call",
        "if", "cascade", "restrict", "primary", "key", "foreign", "references", "constraint", "unique", "check", "default",
        "concurrently", "add", "column", "rename", "type", "lock", "for", "share", "nowait", "skip", "locked", "asc", "desc",
        "nulls", "first", "last", "over", "partition", "window", "filter", "returns", "language", "security", "definer",
    };

    [GeneratedRegex(@"(?<comment>--[^\n]*|/\*[\s\S]*?(\*/|$))|(?<string>[Ee]?'(?:[^'\\]|\\.|'')*'?|\$(?<tag>[A-Za-z_]*)\$[\s\S]*?(\$\k<tag>\$|$))|(?<ident>""(?:[^""]|"""")*""?)|(?<number>\b\d+(?:\.\d+)?\b)|(?<word>[A-Za-z_][A-Za-z0-9_$]*)|(?<other>[\s\S])")]
    private static partial Regex Tokens();

    public static string ToHtml(string sql)
    {
        var html = new StringBuilder(sql.Length * 2);
        foreach (Match m in Tokens().Matches(sql))
        {
            var text = WebUtility.HtmlEncode(m.Value);
            var css = m.Groups["comment"].Success ? "c"
                : m.Groups["string"].Success ? "s"
                : m.Groups["number"].Success ? "n"
                : m.Groups["word"].Success && Keywords.Contains(m.Value) ? "k"
                : null;
            if (css is null)
            {
                html.Append(text);
            }
            else
            {
                html.Append("<span class=\"rose-sql-").Append(css).Append("\">").Append(text).Append("</span>");
            }
        }

        return html.ToString();
    }
}
