using Npgsql;

namespace Rose.Core.Errors;

/// <summary>
/// The one place that turns the driver's exceptions into <see cref="DatabaseException"/>s, and the one
/// rule for what counts as a database being away. Core's host-facing services wrap their work in
/// <see cref="TranslateAsync{T}(Func{Task{T}})"/>; Core's own background loops keep the driver's types.
/// </summary>
public static class DatabaseErrors
{
    /// <summary>SQLSTATE 23503: a foreign key points at a row that does not exist.</summary>
    public const string ForeignKeyViolation = "23503";

    /// <summary>
    /// Whether an exception means the database (or the audit log on it) is away rather than the request
    /// being wrong: connection failures, the server shutting down or starting (08, 57P), timeouts, an
    /// unwritable audit log. Raw driver exceptions that escaped translation are judged by the same rule.
    /// </summary>
    public static bool IsUnavailable(Exception exception) => exception switch
    {
        AuditUnavailableException or DatabaseUnavailableException or TimeoutException => true,
        DatabaseErrorException => false,
        PostgresException pg => IsOutage(pg.SqlState),
        NpgsqlException => true,
        _ => false,
    };

    /// <summary>The domain exception for a driver exception; anything else is returned as it is.</summary>
    public static Exception Translate(Exception exception) => exception switch
    {
        PostgresException pg when IsOutage(pg.SqlState) => new DatabaseUnavailableException(pg.Message, pg.SqlState, pg),
        PostgresException pg => new DatabaseErrorException(pg.Message, pg.SqlState, pg.MessageText, pg.Position > 0 ? pg.Position : null, pg.ConstraintName, pg),
        NpgsqlException npgsql => new DatabaseUnavailableException(npgsql.Message, null, npgsql),
        _ => exception,
    };

    /// <summary>Runs a host-facing call and rethrows a driver exception as its domain exception.</summary>
    public static async Task<T> TranslateAsync<T>(Func<Task<T>> call)
    {
        ArgumentNullException.ThrowIfNull(call);
        try
        {
            return await call();
        }
        catch (NpgsqlException ex)
        {
            throw Translate(ex);
        }
    }

    private static bool IsOutage(string sqlState) =>
        sqlState.StartsWith("08", StringComparison.Ordinal) || sqlState.StartsWith("57P", StringComparison.Ordinal);
}
