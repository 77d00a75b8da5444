using Rose.Core.Sql.Classification;
using Rose.Core.Sql.Native;

namespace Rose.Core.Sql;

/// <summary>
/// Classifies SQL with libpg_query 17, the PostgreSQL 17 parser. PostgreSQL's own lexer tokenizes
/// the batch and its parser reads it once; each statement's text is cut from the first to the last
/// of its own tokens, so the text the executor sends is exactly the text that was parsed and
/// classified. If any part fails to parse, the batch is cut at top-level semicolons (from the same
/// tokens) and classified as each piece parsed alone gives it (see <see cref="BatchRecovery"/>):
/// an unreadable statement becomes UNPARSEABLE on its own while its neighbours keep their
/// classification. Finally every token of the batch must be a
/// comment, a separating semicolon or inside exactly one statement; otherwise the whole batch is
/// UNPARSEABLE. Stateless and thread-safe.
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

    /// <summary>The file libpg_query was loaded from (see <c>ROSE_LIBPG_QUERY</c>), for diagnostics and benchmarks.</summary>
    public static string LibraryPath => LibPgQuery.LoadedFrom;

    public SqlBatch Classify(string sql) => Classify(sql, recoverInRuns: true);

    /// <summary>
    /// Classify, with the recovery path's runs of pieces switched off when <paramref name="recoverInRuns"/>
    /// is false (every piece parsed alone): the reference the runs are tested against.
    /// </summary>
    internal SqlBatch Classify(string sql, bool recoverInRuns)
    {
        ArgumentNullException.ThrowIfNull(sql);
        var statements = new List<SqlStatement>();
        if (sql.Length == 0)
        {
            return new SqlBatch(sql, statements);
        }

        if (sql.Length > MaxBatchChars)
        {
            return Whole(sql, new SqlParseError($"the batch is {sql.Length} characters long, above the limit of {MaxBatchChars}; split it", null));
        }

        // The C API reads up to the first NUL: text after one would never be parsed but would be sent.
        var nul = sql.IndexOf('\0', StringComparison.Ordinal);
        if (nul >= 0)
        {
            return Whole(sql, new SqlParseError("the batch contains a NUL character", nul));
        }

        var text = new Utf8Text(sql);
        var (batch, scanError) = BatchTokens.Scan(text);
        if (batch is null)
        {
            // The lexer itself failed (e.g. an unterminated quote or comment): no safe cut exists.
            return Whole(sql, new SqlParseError(scanError!.Message, text.CursorToCharOffset(scanError.CursorPosition, 0, sql.Length)));
        }

        var spans = new List<(int Start, int End)>();
        var wholeError = LibPgQuery.ParseInPlace(text.Bytes, (statements, spans, batch), static (state, json) =>
            AddParsed(state.statements, state.spans, state.batch, json, 0, state.batch.Text.ByteLength));
        if (wholeError is not null)
        {
            _ = BatchRecovery.Classify(statements, spans, batch, wholeError, recoverInRuns);
        }

        // Defence in depth: nothing outside comments and whitespace may escape classification.
        var problem = batch.CoverageProblem(spans);
        return problem is null
            ? new SqlBatch(sql, statements)
            : Whole(sql, new SqlParseError($"the statement boundaries could not be verified: {problem}", null));
    }

    /// <summary>The whole batch as one UNPARSEABLE statement.</summary>
    private static SqlBatch Whole(string sql, SqlParseError error)
    {
        var statement = Unparseable(0, 0, sql.Length, sql, error);
        return new SqlBatch(sql, [statement]);
    }

    /// <summary>Adds the statements of a parse tree whose locations are relative to byteBase; byteEnd ends the parsed input.</summary>
    internal static void AddParsed(List<SqlStatement> statements, List<(int, int)> spans, BatchTokens batch, ReadOnlyMemory<byte> json, int byteBase, int byteEnd)
    {
        // The document reads libpg_query's own buffer (see LibPgQuery.ParseInPlace): it is disposed
        // here, before that buffer is freed, and nothing taken from it outlives this method.
        using var document = JsonDocument.Parse(json, JsonOptions);
        if (!document.RootElement.TryGetProperty("stmts"u8, out var stmts))
        {
            return; // only comments or empty statements
        }

        var text = batch.Text;
        foreach (var raw in stmts.EnumerateArray())
        {
            var location = byteBase + (raw.TryGetProperty("stmt_location"u8, out var loc) ? loc.GetInt32() : 0);
            // stmt_len 0 means "to the end of the input".
            var end = raw.TryGetProperty("stmt_len"u8, out var len) && len.GetInt32() > 0 ? location + len.GetInt32() : byteEnd;
            if (batch.Trim(location, end) is not { } span)
            {
                continue;
            }

            if (!raw.TryGetProperty("stmt"u8, out var stmt) || stmt.EnumerateObject().FirstOrDefault() is not { Value.ValueKind: JsonValueKind.Object } node)
            {
                AddUnparseable(statements, spans, text, span, new SqlParseError("the parser returned no statement node", null));
                continue;
            }

            var start = text.CharOffset(span.Start);
            var charEnd = text.CharOffset(span.End);
            SqlStatement statement;
            try
            {
                statement = StatementAnalyzer.Analyze(PropertyNames.Of(node), node.Value, statements.Count, start, text.Text[start..charEnd]);
            }
            catch (ClassificationException e)
            {
                AddUnparseable(statements, spans, text, span, new SqlParseError(e.Message, null));
                continue;
            }

            spans.Add(span);
            statements.Add(statement);
        }
    }

    internal static void AddUnparseable(List<SqlStatement> statements, List<(int, int)> spans, Utf8Text text, (int Start, int End) span, SqlParseError error)
    {
        spans.Add(span);
        var start = text.CharOffset(span.Start);
        var end = text.CharOffset(span.End);
        statements.Add(Unparseable(statements.Count, start, end, text.Text, error));
    }

    private static SqlStatement Unparseable(int index, int start, int end, string sql, SqlParseError error)
    {
        // Keep the error cursor inside the statement it belongs to.
        var position = error.Position is { } p ? Math.Clamp(p, start, end) : (int?)null;
        return new SqlStatement(
            index, start, end - start, sql[start..end], "Unparseable", SqlOperations.Unparseable,
            [SqlOperations.Unparseable], [], Writes: true, Destructive: false, NoTransaction: false,
            TransactionControl: false, StatementKind.Unparseable, UnfilteredDml: false, error with { Position = position });
    }
}
