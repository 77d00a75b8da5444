using Rose.Core.Sql.Native;

namespace Rose.Core.Undo;

/// <summary>
/// Cuts the WHERE condition of an UPDATE or DELETE out of the statement text with PostgreSQL's own
/// lexer (the top-level WHERE keyword up to a top-level RETURNING or the end), then proves the cut:
/// "SELECT * FROM relation WHERE cut" must parse to the very same condition tree as the statement's.
/// A cut that does not prove out is never used.
/// </summary>
internal static class WhereClauseText
{
    public static string? Extract(string statementText, BackupRelation relation, JsonElement whereClause)
    {
        var text = new Utf8Text(statementText);
        var (tokens, error) = BatchTokens.Scan(text);
        if (tokens is null || error is not null)
        {
            return null;
        }

        int? start = null;
        var end = text.ByteLength;
        var depth = 0;
        foreach (var token in tokens.Tokens)
        {
            if (ScanTokens.IsComment(token.Token))
            {
                continue;
            }

            if (token.Token == ScanTokens.OpenParen)
            {
                depth++;
            }
            else if (token.Token == ScanTokens.CloseParen)
            {
                depth--;
            }
            else if (depth == 0 && token.KeywordKind != 0)
            {
                var word = Encoding.UTF8.GetString(text.Bytes, token.Start, token.End - token.Start);
                if (start is null && word.Equals("WHERE", StringComparison.OrdinalIgnoreCase))
                {
                    start = token.End;
                }
                else if (start is not null && word.Equals("RETURNING", StringComparison.OrdinalIgnoreCase))
                {
                    end = token.Start;
                    break;
                }
            }
        }

        if (start is not { } from || end <= from)
        {
            return null;
        }

        var condition = Encoding.UTF8.GetString(text.Bytes, from, end - from).Trim();
        var probe = SelectSql(relation, condition);
        using var tree = SqlParseTree.Parse(probe);
        if (tree is null || tree.Node != "SelectStmt" || !tree.Body.TryGetProperty("whereClause", out var probed))
        {
            return null;
        }

        return Canonical(probed) == Canonical(whereClause) ? condition : null;
    }

    /// <summary>The SELECT that reads the rows the statement will change.</summary>
    public static string SelectSql(BackupRelation relation, string? condition) =>
        $"SELECT * FROM {(relation.Only ? "ONLY " : "")}{relation.Sql}"
        + (relation.Alias is null ? "" : " AS " + PgIdentifiers.QuoteIdentifier(relation.Alias))
        + (condition is null ? "" : "\nWHERE " + condition + "\n");

    /// <summary>The tree as JSON without source positions, which differ between the statement and the probe.</summary>
    private static string Canonical(JsonElement node)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            Write(writer, node);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void Write(Utf8JsonWriter writer, JsonElement node)
    {
        switch (node.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in node.EnumerateObject().Where(p => p.Name != "location"))
                {
                    writer.WritePropertyName(property.Name);
                    Write(writer, property.Value);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in node.EnumerateArray())
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                node.WriteTo(writer);
                break;
        }
    }
}
