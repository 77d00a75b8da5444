namespace Rose.Core.Policy;

/// <summary>
/// Policy entries match operations as whole-word prefixes: "DROP" matches "DROP TABLE" but not
/// "DROPX"; "FUNCTION" matches every "FUNCTION name" operation. Row-locking reads are "LOCK ROWS",
/// not "SELECT ...", precisely so that a "SELECT" entry cannot reach them by this rule.
/// </summary>
public static class OperationMatcher
{
    public static bool Matches(string entry, string operation)
    {
        var e = Normalize(entry);
        var o = Normalize(operation);
        if (e.Length == 0)
        {
            return false;
        }

        return o.Length == e.Length
            ? string.Equals(o, e, StringComparison.Ordinal)
            : o.Length > e.Length && o.StartsWith(e, StringComparison.Ordinal) && o[e.Length] == ' ';
    }

    /// <summary>The first entry that matches the operation, or null.</summary>
    public static string? FirstMatch(IEnumerable<string> entries, string operation) =>
        entries.FirstOrDefault(entry => Matches(entry, operation));

    /// <summary>Upper case (tags are), single spaces, trimmed. Function names keep their case-folded form.</summary>
    internal static string Normalize(string value)
    {
        var parts = value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0)
        {
            return string.Empty;
        }

        // "FUNCTION pg_sleep": the keyword is upper-cased, the function name compared lower-case,
        // because PostgreSQL folds unquoted identifiers to lower case.
        if (parts.Length >= 2 && string.Equals(parts[0], "FUNCTION", StringComparison.OrdinalIgnoreCase))
        {
            return "FUNCTION " + string.Join(' ', parts.Skip(1)).ToLowerInvariant();
        }

        return string.Join(' ', parts).ToUpperInvariant();
    }
}
