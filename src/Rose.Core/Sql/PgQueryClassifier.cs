using System.Text.Json;
using Rose.Core.Sql.Classification;
using Rose.Core.Sql.Native;

namespace Rose.Core.Sql;

/// <summary>
/// Classifies SQL with libpg_query, the PostgreSQL 15 parser. The batch is parsed once; if any
/// part fails to parse, it is cut at top-level semicolons by the real lexer and each piece is
/// parsed alone, so a bad statement becomes one UNPARSEABLE statement while its neighbours are
/// still classified. Stateless and thread-safe.
/// </summary>
public sealed class PgQueryClassifier : ISqlClassifier
{
    /// <summary>Batches longer than this (UTF-16 chars) are refused whole as UNPARSEABLE.</summary>
    public const int MaxBatchChars = 1024 * 1024;

    /// <summary>libpg_query's parse trees nest far deeper than System.Text.Json's default of 64.</summary>
    private static readonly JsonDocumentOptions JsonOptions = new() { MaxDepth = 100_000 };

    /// <summary>Fails fast with <see cref="SqlParserUnavailableException"/> when libpg_query is missing.</summary>
    public PgQueryClassifier()
    {
        LibPgQuery.EnsureLoaded();
    }

    public SqlBatch Classify(string sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        var statements = new List<SqlStatement>();
        if (string.IsNullOrWhiteSpace(sql))
        {
            return new SqlBatch(sql, statements);
        }

        if (sql.Length > MaxBatchChars)
        {
            AddUnparseable(statements, sql, 0, sql.Length,
                new SqlParseError($"the batch is {sql.Length} characters long, above the limit of {MaxBatchChars}; split it", null));
            return new SqlBatch(sql, statements);
        }

        // The C API reads up to the first NUL: text after one would never be parsed but would be sent.
        var nul = sql.IndexOf('\0', StringComparison.Ordinal);
        if (nul >= 0)
        {
            AddUnparseable(statements, sql, 0, sql.Length, new SqlParseError("the batch contains a NUL character", nul));
            return new SqlBatch(sql, statements);
        }

        var text = new Utf8Text(sql);
        var whole = LibPgQuery.Parse(text.Bytes);
        if (whole.Error is null)
        {
            AddParsed(statements, text, whole.ParseTreeJson!, 0, text.ByteLength);
            return new SqlBatch(sql, statements);
        }

        var (pieces, scanError) = StatementSplitter.Split(text);
        if (scanError is not null)
        {
            // The lexer itself failed (e.g. an unterminated quote): no safe cut exists.
            AddUnparseable(statements, sql, 0, sql.Length,
                new SqlParseError(scanError.Message, text.CursorToCharOffset(scanError.CursorPosition, 0, sql.Length)));
            return new SqlBatch(sql, statements);
        }

        foreach (var (start, length) in pieces)
        {
            var piece = LibPgQuery.Parse(text.Slice(start, length));
            if (piece.Error is null)
            {
                AddParsed(statements, text, piece.ParseTreeJson!, start, length);
                continue;
            }

            var charStart = text.CharOffset(start);
            var charEnd = text.CharOffset(start + length);
            AddUnparseable(statements, sql, charStart, charEnd,
                new SqlParseError(piece.Error.Message, text.CursorToCharOffset(piece.Error.CursorPosition, charStart, charEnd)));
        }

        return new SqlBatch(sql, statements);
    }

    /// <summary>Adds the statements of a parse tree whose locations are relative to byteBase.</summary>
    private static void AddParsed(List<SqlStatement> statements, Utf8Text text, byte[] json, int byteBase, int byteLength)
    {
        using var document = JsonDocument.Parse(json, JsonOptions);
        if (!document.RootElement.TryGetProperty("stmts", out var stmts))
        {
            return; // only comments or empty statements
        }

        foreach (var raw in stmts.EnumerateArray())
        {
            var location = raw.TryGetProperty("stmt_location", out var loc) ? loc.GetInt32() : 0;
            // stmt_len 0 means "to the end of the input".
            var length = raw.TryGetProperty("stmt_len", out var len) && len.GetInt32() > 0 ? len.GetInt32() : byteLength - location;
            var charStart = text.CharOffset(byteBase + location);
            var charEnd = text.CharOffset(byteBase + location + length);
            var (start, end) = SqlTrivia.Trim(text.Text, charStart, charEnd);
            if (end <= start || !raw.TryGetProperty("stmt", out var stmt))
            {
                continue;
            }

            var node = stmt.EnumerateObject().FirstOrDefault();
            if (node.Value.ValueKind != JsonValueKind.Object)
            {
                AddUnparseable(statements, text.Text, start, end, new SqlParseError("the parser returned no statement node", null));
                continue;
            }

            StatementFacts facts;
            try
            {
                facts = StatementAnalyzer.Analyze(node.Name, node.Value);
            }
            catch (ClassificationException e)
            {
                AddUnparseable(statements, text.Text, start, end, new SqlParseError(e.Message, null));
                continue;
            }

            statements.Add(new SqlStatement(
                statements.Count, start, end - start, text.Text[start..end], facts.Node, facts.Tag, facts.Operations,
                facts.Objects, facts.Writes, facts.Destructive, facts.NoTransaction, facts.TransactionControl, facts.Kind,
                facts.UnfilteredDml, Error: null));
        }
    }

    private static void AddUnparseable(List<SqlStatement> statements, string sql, int charStart, int charEnd, SqlParseError error)
    {
        var (start, end) = SqlTrivia.Trim(sql, charStart, charEnd);
        if (end <= start)
        {
            (start, end) = (charStart, charEnd);
        }

        // Keep the error cursor inside the statement it belongs to.
        var position = error.Position is { } p ? Math.Clamp(p, start, end) : (int?)null;
        statements.Add(new SqlStatement(
            statements.Count, start, end - start, sql[start..end], "Unparseable", SqlOperations.Unparseable,
            [SqlOperations.Unparseable], [], Writes: true, Destructive: false, NoTransaction: false,
            TransactionControl: false, StatementKind.Unparseable, UnfilteredDml: false, error with { Position = position }));
    }
}
