namespace Rose.Core.Export;

/// <summary>
/// The one CSV writer (RFC 4180): fields joined by commas, rows ended by CRLF, a field quoted when it
/// holds a comma, quote, CR or LF, quotes doubled. Query results and the audit export differ only in
/// the <see cref="CsvStyle"/> they pass.
/// </summary>
public static class Csv
{
    public static void AppendRow(StringBuilder line, IReadOnlyList<string?> fields, CsvStyle style)
    {
        ArgumentNullException.ThrowIfNull(line);
        ArgumentNullException.ThrowIfNull(fields);
        // A lone \. on a line is the end-of-data marker of COPY text: PostgreSQL's COPY CSV quotes it in a
        // one-column file, and so does this writer, so both export paths write the same bytes.
        if (fields is [@"\."])
        {
            line.Append("\"\\.\"\r\n");
            return;
        }

        for (var i = 0; i < fields.Count; i++)
        {
            if (i > 0)
            {
                line.Append(',');
            }

            AppendField(line, fields[i], style);
        }

        line.Append("\r\n");
    }

    /// <summary>A null value is always an empty, unquoted field.</summary>
    public static void AppendField(StringBuilder line, string? value, CsvStyle style)
    {
        ArgumentNullException.ThrowIfNull(line);
        ArgumentNullException.ThrowIfNull(style);
        if (value is null)
        {
            return;
        }

        var text = style.DefuseFormulas && value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + value : value;
        if ((text.Length > 0 || !style.QuoteEmpty) && text.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            line.Append(text);
            return;
        }

        line.Append('"').Append(text.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
    }
}
