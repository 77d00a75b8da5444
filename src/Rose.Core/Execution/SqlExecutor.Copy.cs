using System.Diagnostics;
using Npgsql;

namespace Rose.Core.Execution;

/// <summary>
/// CSV export of a single plain read through PostgreSQL's COPY: the server writes the CSV and Rose
/// passes the bytes on, instead of Npgsql reading every value and Rose formatting it again. It runs in
/// the same READ ONLY transaction, after the same limits and audit attempt, as the statement would.
/// </summary>
internal sealed partial class SqlExecutor
{
    private readonly ISqlClassifier copyClassifier = classifier;

    /// <summary>
    /// The COPY command exporting <paramref name="statement"/>, or null when it must run as itself: only
    /// a plain read that is a SELECT (VALUES and TABLE included) can be a COPY source. The wrapped text
    /// is parsed again and must be exactly one COPY statement, so nothing in the user's text can end the
    /// parenthesis early; the newline before it ends a trailing line comment.
    /// </summary>
    internal string? CsvCopyCommand(SqlStatement statement)
    {
        if (statement.Node != "SelectStmt" || !ReadRouting.IsPlainRead(statement))
        {
            return null;
        }

        var text = "COPY (" + statement.Text + "\n) TO STDOUT WITH (FORMAT csv, HEADER)";
        var parsed = copyClassifier.Classify(text);
        return parsed.AllParsed && parsed.Statements is [{ Node: "CopyStmt" } copy] && copy.Text == text ? text : null;
    }

    /// <summary>Runs <paramref name="copyText"/> and streams its CSV to the sink; COMMIT and reset follow as for any statement.</summary>
    private static async Task<bool> CopyStatementAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, SqlStatement statement, string copyText,
        StatementResult statementResult, ICsvCopySink sink, Pipeline pipeline, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        // COPY goes over the simple query protocol; copyText was parsed above as exactly one statement.
        await using (var reader = await conn.BeginTextExportAsync(copyText, ct))
        {
            var raw = (NpgsqlRawCopyStream)((StreamReader)reader).BaseStream;
            // The server's statement_timeout bounds the query; the client waits for rows as long as it runs (0 = no client timeout).
            raw.ReadTimeout = 0;
            var csv = new CopyExportStream(raw);
            long rows;
            await using (csv.CancelOn(ct))
            {
                rows = await sink.CopyCsvAsync(statement.Index, csv, ct);
            }

            statementResult.RowCount = rows;
            statementResult.RowsAffected = rows;
        }

        statementResult.DurationMs = watch.Elapsed.TotalMilliseconds;
        return pipeline.Commit && await CommitAsync(conn, tx!, pipeline, ct);
    }
}
