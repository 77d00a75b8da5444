namespace Rose.Core.Errors;

/// <summary>
/// The server answered with an error for a statement (anything but an outage): what PostgreSQL said,
/// with its SQLSTATE, the position in the statement text and the constraint it names, if any.
/// </summary>
public sealed class DatabaseErrorException(string message, string sqlState, string messageText, int? position, string? constraintName, Exception inner)
    : DatabaseException(message, sqlState, inner)
{
    /// <summary>PostgreSQL's primary message, without the SQLSTATE prefix of <see cref="Exception.Message"/>.</summary>
    public string MessageText { get; } = messageText;

    /// <summary>1-based character position in the statement text, when the server gave one.</summary>
    public int? Position { get; } = position;

    public string? ConstraintName { get; } = constraintName;

    /// <summary>Class 23: a row broke a constraint (foreign key, unique, check, not null).</summary>
    public bool IsConstraintViolation => SqlState?.StartsWith("23", StringComparison.Ordinal) == true;
}
