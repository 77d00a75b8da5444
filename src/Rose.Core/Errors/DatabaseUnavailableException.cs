namespace Rose.Core.Errors;

/// <summary>
/// The database could not be reached or is not serving: connection refused, reset or timed out, the
/// pool exhausted, or the server shutting down or starting (SQLSTATE classes 08 and 57P). An outage to
/// retry, not a bug in the request.
/// </summary>
public sealed class DatabaseUnavailableException(string message, string? sqlState, Exception inner)
    : DatabaseException(message, sqlState, inner);
