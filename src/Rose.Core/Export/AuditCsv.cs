namespace Rose.Core.Export;

/// <summary>
/// Audit entries as CSV rows (written by <see cref="Csv"/> in its <see cref="CsvStyle.Audit"/> style:
/// a field a spreadsheet would run as a formula gets a leading apostrophe).
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
        var line = new StringBuilder();
        Csv.AppendRow(line, fields, CsvStyle.Audit);
        await writer.WriteAsync(line.ToString().AsMemory(), ct);
    }
}
