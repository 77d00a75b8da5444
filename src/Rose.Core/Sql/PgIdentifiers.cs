namespace Rose.Core.Sql;

/// <summary>
/// Quoting for the few places where SQL cannot take a parameter (database and role names in
/// CREATE/DROP DATABASE, passwords in ALTER ROLE). Everything else uses bind parameters.
/// </summary>
public static class PgIdentifiers
{
    /// <summary>PostgreSQL truncates identifiers to NAMEDATALEN-1 bytes; longer names would silently collide.</summary>
    public const int MaxIdentifierBytes = 63;

    /// <summary>Always double-quotes, so reserved words and mixed case are kept exactly as given.</summary>
    public static string QuoteIdentifier(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0)
        {
            throw new ArgumentException("An identifier cannot be empty.", nameof(name));
        }
        if (name.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("An identifier cannot contain a NUL character.", nameof(name));
        }
        if (Encoding.UTF8.GetByteCount(name) > MaxIdentifierBytes)
        {
            throw new ArgumentException($"The identifier '{name}' is longer than {MaxIdentifierBytes} bytes.", nameof(name));
        }
        return "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    /// <summary>
    /// A standard-conforming string literal. Uses the E'' form whenever a backslash is present so the
    /// result is correct whatever standard_conforming_strings is set to.
    /// </summary>
    public static string QuoteLiteral(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("A string literal cannot contain a NUL character.", nameof(value));
        }
        var escaped = value.Replace("'", "''", StringComparison.Ordinal);
        if (escaped.Contains('\\', StringComparison.Ordinal))
        {
            return "E'" + escaped.Replace("\\", "\\\\", StringComparison.Ordinal) + "'";
        }
        return "'" + escaped + "'";
    }

    /// <summary>
    /// True for names made of lower-case ASCII letters, digits and underscores, starting with a letter or
    /// underscore: the names Rose creates itself (test databases, demo roles) stay in this safe subset.
    /// </summary>
    public static bool IsSimpleName(string name) =>
        name.Length is > 0 and <= MaxIdentifierBytes
        && (char.IsAsciiLetterLower(name[0]) || name[0] == '_')
        && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_');
}
