using System.Globalization;
using System.Text;
using Rose.Core.Audit;

namespace Rose.Console.Components.Pages.Audit;

/// <summary>
/// RFC 4180 CSV of audit entries: CRLF line ends, every field quoted when it holds a comma, quote, CR
/// or LF, quotes doubled. A field a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a
/// leading apostrophe: an exported audit log must not execute attacker-chosen SQL text as a formula.
/// </summary>
public static class AuditCsv
{
    public static readonly string[] Header =
    [
        "id", "occurred_at", "executor_id", "executor_name", "executor_kind", "provider", "channel", "database",
        "operations", "decision", "decision_reasons", "status", "rows_affected", "duration_ms", "error_sqlstate",
        "error_message", "approval_id", "approved_by", "reason", "sql_length", "sql_hash", "sql",
    ];

    public static string[] Fields(AuditEntry e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return
        [
            e.Id.ToString(CultureInfo.InvariantCulture), e.OccurredAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", CultureInfo.InvariantCulture),
            e.ExecutorId, e.ExecutorName, e.ExecutorKind, e.Provider, e.Channel, e.Database,
            string.Join(";", e.Operations), e.Decision, string.Join("; ", e.DecisionReasons), e.Status,
            e.RowsAffected?.ToString(CultureInfo.InvariantCulture) ?? "", e.DurationMs?.ToString("0.###", CultureInfo.InvariantCulture) ?? "",
            e.ErrorSqlState ?? "", e.ErrorMessage ?? "", e.ApprovalId?.ToString(CultureInfo.InvariantCulture) ?? "", e.ApprovedBy ?? "",
            e.Reason ?? "", e.SqlLength.ToString(CultureInfo.InvariantCulture), e.SqlHash, e.Sql,
        ];
    }

    public static async Task WriteRowAsync(TextWriter writer, IReadOnlyList<string> fields, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(fields);
        var line = new StringBuilder();
        for (var i = 0; i < fields.Count; i++)
        {
            if (i > 0)
            {
                line.Append(',');
            }

            AppendField(line, fields[i]);
        }

        line.Append("\r\n");
        await writer.WriteAsync(line.ToString().AsMemory(), ct);
    }

    public static void AppendField(StringBuilder line, string value)
    {
        ArgumentNullException.ThrowIfNull(line);
        var text = value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + value : value;
        if (text.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            line.Append(text);
            return;
        }

        line.Append('"').Append(text.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
    }
}
