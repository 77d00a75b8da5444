namespace Rose.Core.Errors;

/// <summary>
/// A database Rose talks to (the control database or a target) failed a call a host made into Core.
/// Core's services throw this family instead of the driver's exceptions, so pages, endpoints and the
/// CLI handle database failures without knowing which driver Core uses. The message is the driver's,
/// unchanged, so what a page shows stays the same; the driver's exception is the inner exception.
/// </summary>
public abstract class DatabaseException(string message, string? sqlState, Exception inner) : Exception(message, inner)
{
    /// <summary>The SQLSTATE the server answered with; null when no server answered (refused, reset, timed out).</summary>
    public string? SqlState { get; } = sqlState;
}
