using System.Data;
using System.Runtime.CompilerServices;
using Dapper;
using Npgsql;

namespace Rose.Core.Control.Queries;

/// <summary>
/// The control stores' Dapper calls: positional parameters in, rows mapped to records by column
/// name (aliases in the SQL name the record's members). One place sets Dapper up, so every store
/// reads timestamps the same way.
/// </summary>
internal static class ControlQueries
{
    static ControlQueries()
    {
        SqlMapper.AddTypeHandler(new UtcTimestampHandler());
        SqlMapper.AddTypeHandler(new TextArrayHandler());
    }

    public static Task<IReadOnlyList<T>> QueryAsync<T>(this ControlDatabase control, string sql, PositionalParameters? parameters, CancellationToken ct) =>
        OnceMoreOnStalePlanAsync<IReadOnlyList<T>>(control, async conn => (await conn.QueryAsync<T>(Command(sql, parameters, null, ct))).AsList(), ct);

    /// <summary>The one row the statement returns, or default when it returns none (more than one is a bug: it throws).</summary>
    public static Task<T?> QuerySingleOrDefaultAsync<T>(this ControlDatabase control, string sql, PositionalParameters? parameters, CancellationToken ct) =>
        OnceMoreOnStalePlanAsync(control, conn => conn.QuerySingleOrDefaultAsync<T>(Command(sql, parameters, null, ct)), ct);

    /// <summary>The one row the statement returns (RETURNING id); none or more than one throws.</summary>
    public static Task<T> QuerySingleAsync<T>(this ControlDatabase control, string sql, PositionalParameters? parameters, CancellationToken ct) =>
        OnceMoreOnStalePlanAsync(control, conn => conn.QuerySingleAsync<T>(Command(sql, parameters, null, ct)), ct);

    /// <summary>
    /// Rows that fill two records: the columns before <paramref name="splitOn"/> fill the first, the
    /// rest the second, and <paramref name="map"/> joins them (a stored row that holds a value record).
    /// </summary>
    public static Task<IReadOnlyList<TReturn>> QueryAsync<TFirst, TSecond, TReturn>(this ControlDatabase control, string sql, string splitOn,
        Func<TFirst, TSecond, TReturn> map, PositionalParameters? parameters, CancellationToken ct) =>
        OnceMoreOnStalePlanAsync<IReadOnlyList<TReturn>>(control, async conn => (await conn.QueryAsync(Command(sql, parameters, null, ct), map, splitOn)).AsList(), ct);

    /// <summary>Rows affected.</summary>
    public static Task<int> ExecuteAsync(this ControlDatabase control, string sql, PositionalParameters? parameters, CancellationToken ct) =>
        OnceMoreOnStalePlanAsync(control, conn => conn.ExecuteAsync(Command(sql, parameters, null, ct)), ct);

    /// <summary>
    /// Runs one pooled statement, and once more when PostgreSQL refused it as a stale prepared statement: the control
    /// data source prepares hot statements (<see cref="ControlDatabase"/>), and when another console's schema change
    /// alters what one returns, PostgreSQL refuses the next execution before it runs anything ("cached plan must not
    /// change result type", raised while revalidating the plan). Npgsql then forgets that prepared statement, so the
    /// second run prepares it afresh. Only statements on their own (autocommit): inside a caller's transaction the
    /// refusal has aborted it, and the caller decides.
    /// </summary>
    private static async Task<T> OnceMoreOnStalePlanAsync<T>(ControlDatabase control, Func<NpgsqlConnection, Task<T>> run, CancellationToken ct)
    {
        // The same connection both times: each pooled connection holds its own prepared copy, and another could be stale too.
        await using var conn = await control.DataSource.OpenConnectionAsync(ct);
        try
        {
            return await run(conn);
        }
        catch (PostgresException ex) when (IsStalePlan(ex))
        {
            return await run(conn);
        }
    }

    /// <summary>PostgreSQL's refusal of a prepared statement whose result columns changed (matched on the routine, not the message, which can be translated).</summary>
    internal static bool IsStalePlan(PostgresException ex) =>
        ex.SqlState == PostgresErrorCodes.FeatureNotSupported && string.Equals(ex.Routine, "RevalidateCachedQuery", StringComparison.Ordinal);

    /// <summary>Rows of a query on the caller's connection (and transaction), e.g. under a session lock.</summary>
    public static async Task<IReadOnlyList<T>> QueryAsync<T>(NpgsqlConnection conn, NpgsqlTransaction? tx, string sql, PositionalParameters? parameters, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(conn);
        return (await conn.QueryAsync<T>(Command(sql, parameters, tx, ct))).AsList();
    }

    /// <summary>Rows affected, on the caller's connection (and transaction).</summary>
    public static Task<int> ExecuteAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, string sql, PositionalParameters? parameters, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(conn);
        return conn.ExecuteAsync(Command(sql, parameters, tx, ct));
    }

    /// <summary>
    /// Rows read off the server as they arrive, in column order (sequential access), on the caller's
    /// connection and transaction: nothing is buffered beyond Npgsql's network buffer.
    /// </summary>
    public static async IAsyncEnumerable<T> StreamAsync<T>(NpgsqlConnection conn, NpgsqlTransaction? tx, string sql, PositionalParameters? parameters,
        int? commandTimeoutSeconds, [EnumeratorCancellation] CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(conn);
        var command = new CommandDefinition(sql, parameters, tx, commandTimeoutSeconds, flags: CommandFlags.None, cancellationToken: ct);
        await using var reader = await conn.ExecuteReaderAsync(command, CommandBehavior.SequentialAccess);
        var parse = reader.GetRowParser<T>();
        while (await reader.ReadAsync(ct))
        {
            yield return parse(reader);
        }
    }

    private static CommandDefinition Command(string sql, PositionalParameters? parameters, NpgsqlTransaction? tx, CancellationToken ct) =>
        new(sql, parameters, tx, commandType: CommandType.Text, flags: CommandFlags.Buffered, cancellationToken: ct);

    /// <summary>
    /// Npgsql reads timestamptz as a UTC DateTime; Rose's records hold DateTimeOffset. Dapper matches
    /// record constructors by exact column type unless a handler exists, so this one makes
    /// timestamptz columns bind to DateTimeOffset members and constructor parameters alike.
    /// </summary>
    private sealed class UtcTimestampHandler : SqlMapper.TypeHandler<DateTimeOffset>
    {
        public override DateTimeOffset Parse(object value) => value switch
        {
            DateTime { Kind: DateTimeKind.Utc } utc => new DateTimeOffset(utc),
            DateTimeOffset offset => offset,
            // timestamp without time zone has no instant: refuse rather than guess a zone.
            _ => throw new InvalidCastException($"Expected a timestamptz value, got {value.GetType().Name} ({(value as DateTime?)?.Kind})."),
        };

        public override void SetValue(IDbDataParameter parameter, DateTimeOffset value) =>
            throw new NotSupportedException("Control-database parameters are positional NpgsqlParameters (PositionalParameters); Dapper does not bind them.");
    }

    /// <summary>
    /// text[] columns arrive as string[]; the records expose them as IReadOnlyList&lt;string&gt;, which
    /// Dapper would otherwise try to convert through IConvertible.
    /// </summary>
    private sealed class TextArrayHandler : SqlMapper.TypeHandler<IReadOnlyList<string>>
    {
        public override IReadOnlyList<string> Parse(object value) =>
            value as string[] ?? throw new InvalidCastException($"Expected a text[] value, got {value.GetType().Name}.");

        public override void SetValue(IDbDataParameter parameter, IReadOnlyList<string>? value) =>
            throw new NotSupportedException("Control-database parameters are positional NpgsqlParameters (PositionalParameters); Dapper does not bind them.");
    }
}
