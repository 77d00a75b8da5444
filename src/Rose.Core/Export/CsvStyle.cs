namespace Rose.Core.Export;

/// <summary>How <see cref="Csv"/> writes fields for one kind of file.</summary>
/// <param name="QuoteEmpty">Write the empty string as <c>""</c>, so it stays apart from NULL (an empty, unquoted field).</param>
/// <param name="DefuseFormulas">Prefix an apostrophe to a field a spreadsheet would run as a formula (=, +, -, @, tab, CR first).</param>
public sealed record CsvStyle(bool QuoteEmpty, bool DefuseFormulas)
{
    /// <summary>Query results: values exactly as the server sent them, NULL and '' told apart.</summary>
    public static readonly CsvStyle Results = new(QuoteEmpty: true, DefuseFormulas: false);

    /// <summary>
    /// The audit export: an exported audit log must not execute attacker-chosen SQL text as a formula.
    /// Absent values are written as empty fields.
    /// </summary>
    public static readonly CsvStyle Audit = new(QuoteEmpty: false, DefuseFormulas: true);
}
