namespace Rose.Core.Sql.Editing;

/// <summary>
/// A deliberately small formatter over PostgreSQL's own tokens (<see cref="SqlTokenizer"/>):
/// upper-cases common keywords, collapses runs of blanks and starts the main clauses on a new
/// line. It never touches string literals, quoted identifiers, dollar-quoted bodies or comments,
/// so it cannot change what a statement means; text the lexer cannot read is returned as is, and
/// the page still checks that the parser sees the same statements before it accepts the result.
/// </summary>
public static class SqlFormatter
{
    // Style: the keywords written in upper case (the lexer decides what is a keyword at all).
    private static readonly HashSet<string> Keywords = new(StringComparer.OrdinalIgnoreCase)
    {
        "select", "from", "where", "and", "or", "not", "in", "is", "null", "as", "on", "join", "left", "right", "full",
        "inner", "outer", "cross", "group", "by", "order", "having", "limit", "offset", "union", "all", "distinct",
        "insert", "into", "values", "update", "set", "delete", "returning", "with", "case", "when", "then", "else",
        "end", "asc", "desc", "like", "ilike", "between", "exists", "create", "table", "index", "drop", "alter",
        "explain", "analyze", "true", "false", "except", "intersect", "using", "lateral", "window", "over", "partition",
    };

    // Clauses that start a new line when they appear outside parentheses.
    private static readonly string[][] Clauses =
    [
        ["select"], ["from"], ["where"], ["group", "by"], ["order", "by"], ["having"], ["limit"], ["offset"],
        ["union"], ["except"], ["intersect"], ["values"], ["set"], ["returning"], ["join"],
        ["left"], ["right"], ["full"], ["inner"], ["cross"], ["natural"],
    ];

    // Words that open a join phrase: the newline goes before them, not before the JOIN that follows.
    private static readonly HashSet<string> JoinLeads = new(StringComparer.OrdinalIgnoreCase) { "left", "right", "full", "inner", "cross", "natural", "outer" };

    public static string Format(string sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        if (!SqlTokenizer.IsReadable(sql))
        {
            return sql;
        }

        var tokens = SqlTokenizer.Tokenize(sql);
        var output = new StringBuilder(sql.Length + 32);
        var depth = 0;
        var pendingSpace = false;
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (token.Kind == TokenKind.Space)
            {
                pendingSpace = output.Length > 0;
                continue;
            }

            var startsClause = token.Kind == TokenKind.Keyword && depth == 0 && output.Length > 0 && output[^1] != '\n'
                && StartsClause(tokens, i);
            if (startsClause)
            {
                TrimEnd(output);
                output.Append('\n');
            }
            else if (token.Text == ";")
            {
                TrimEnd(output);
            }
            else if (pendingSpace && output.Length > 0 && output[^1] != '\n')
            {
                output.Append(' ');
            }

            pendingSpace = false;
            output.Append(token.Kind == TokenKind.Keyword && Keywords.Contains(token.Text) ? token.Text.ToUpperInvariant() : token.Text);
            depth += token.Text == "(" ? 1 : token.Text == ")" ? -1 : 0;
            depth = Math.Max(depth, 0);
            if (token.Text == ";")
            {
                output.Append("\n\n");
            }
            else if (token.Kind == TokenKind.LineComment)
            {
                // The lexer ends a "--" comment before its line break: keep one after it.
                output.Append('\n');
            }
        }

        var endsWithSemicolon = tokens.LastOrDefault(t => t.Kind != TokenKind.Space).Text == ";";
        return output.ToString().TrimEnd() + (endsWithSemicolon ? "\n" : string.Empty);
    }

    private static bool StartsClause(List<SqlToken> tokens, int index)
    {
        var word = tokens[index].Text;
        if (JoinLeads.Contains(word))
        {
            return !JoinLeads.Contains(PreviousWord(tokens, index) ?? string.Empty) && JoinFollows(tokens, index);
        }

        if (string.Equals(word, "join", StringComparison.OrdinalIgnoreCase) && JoinLeads.Contains(PreviousWord(tokens, index) ?? string.Empty))
        {
            return false;
        }

        foreach (var clause in Clauses)
        {
            var j = index;
            var matched = true;
            foreach (var part in clause)
            {
                while (j < tokens.Count && tokens[j].Kind == TokenKind.Space)
                {
                    j++;
                }

                if (j >= tokens.Count || !string.Equals(tokens[j].Text, part, StringComparison.OrdinalIgnoreCase))
                {
                    matched = false;
                    break;
                }

                j++;
            }

            if (matched)
            {
                return true;
            }
        }

        return false;
    }

    private static string? PreviousWord(List<SqlToken> tokens, int index)
    {
        for (var j = index - 1; j >= 0; j--)
        {
            if (tokens[j].Kind != TokenKind.Space)
            {
                return tokens[j].Kind is TokenKind.Keyword or TokenKind.Word ? tokens[j].Text : null;
            }
        }

        return null;
    }

    // LEFT/RIGHT/FULL only start a clause when a JOIN follows (LEFT(...) is also a function).
    private static bool JoinFollows(List<SqlToken> tokens, int index)
    {
        for (var j = index + 1; j < tokens.Count; j++)
        {
            if (tokens[j].Kind == TokenKind.Space || JoinLeads.Contains(tokens[j].Text))
            {
                continue;
            }

            return string.Equals(tokens[j].Text, "join", StringComparison.OrdinalIgnoreCase);
        }

        return false;
    }

    private static void TrimEnd(StringBuilder output)
    {
        while (output.Length > 0 && output[^1] == ' ')
        {
            output.Length--;
        }
    }
}
