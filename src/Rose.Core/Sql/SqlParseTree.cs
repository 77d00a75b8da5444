using Rose.Core.Sql.Native;

namespace Rose.Core.Sql;

/// <summary>
/// The raw libpg_query parse tree of one statement, for code that needs more than the
/// classification (migration lint rules read column definitions, constraints and flags).
/// </summary>
public static class SqlParseTree
{
    private static readonly JsonDocumentOptions JsonOptions = new() { MaxDepth = 100_000 };

    /// <summary>
    /// The statement node of the first statement in <paramref name="statementText"/>, as
    /// (node name, node body), or null when it does not parse. The document must be disposed.
    /// </summary>
    public static ParsedStatementTree? Parse(string statementText)
    {
        ArgumentNullException.ThrowIfNull(statementText);
        LibPgQuery.EnsureLoaded();
        var text = new Utf8Text(statementText);
        var result = LibPgQuery.Parse(text.Bytes);
        if (result.Error is not null)
        {
            return null;
        }

        var document = JsonDocument.Parse(result.ParseTreeJson!, JsonOptions);
        if (!document.RootElement.TryGetProperty("stmts", out var stmts) || stmts.GetArrayLength() == 0
            || !stmts[0].TryGetProperty("stmt", out var stmt))
        {
            document.Dispose();
            return null;
        }

        var node = stmt.EnumerateObject().First();
        return new ParsedStatementTree(document, node.Name, node.Value);
    }
}

/// <summary>A statement's node name (e.g. "IndexStmt") and body; owns the JSON document.</summary>
public sealed class ParsedStatementTree(JsonDocument document, string node, JsonElement body) : IDisposable
{
    public string Node { get; } = node;

    public JsonElement Body { get; } = body;

    public void Dispose() => document.Dispose();
}
