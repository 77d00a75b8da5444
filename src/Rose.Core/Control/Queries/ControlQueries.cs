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

    public static async Task<IReadOnlyList<T>> QueryAsync<T>(this ControlDatabase control, string sql, PositionalParameters? parameters, CancellationToken ct)
    {
        await using var conn = control.DataSource.CreateConnection();
        return (await conn.QueryAsync<T>(Command(sql, parameters, null, ct))).AsList();
    }

    /// <summary>The one row the statement returns, or default when it returns none (more than one is a bug: it throws).</summary>
    public static async Task<T?> QuerySingleOrDefaultAsync<T>(this ControlDatabase control, string sql, PositionalParameters? parameters, CancellationToken ct)
    {
        await using var conn = control.DataSource.CreateConnection();
        return await conn.QuerySingleOrDefaultAsync<T>(Command(sql, parameters, null, ct));
    }

    /// <summary>The one row the statement returns (RETURNING id); none or more than one throws.</summary>
    public static async Task<T> QuerySingleAsync<T>(this ControlDatabase control, string sql, PositionalParameters? parameters, CancellationToken ct)
    {
        await using var conn = control.DataSource.CreateConnection();
        return await conn.QuerySingleAsync<T>(Command(sql, parameters, null, ct));
    }

    /// <summary>
    /// Rows that fill two records: the columns before <paramref name="splitOn"/> fill the first, the
    /// rest the second, and <paramref name="map"/> joins them (a stored row that holds a value record).
    /// </summary>
    public static async Task<IReadOnlyList<TReturn>> QueryAsync<TFirst, TSecond, TReturn>(this ControlDatabase control, string sql, string splitOn,
        Func<TFirst, TSecond, TReturn> map, PositionalParameters? parameters, CancellationToken ct)
    {
        await using var conn = control.DataSource.CreateConnection();
        return (await conn.QueryAsync(Command(sql, parameters, null, ct), map, splitOn)).AsList();
    }

    /// <summary>Rows affected.</summary>
    public static async Task<int> ExecuteAsync(this ControlDatabase control, string sql, PositionalParameters? parameters, CancellationToken ct)
    {
        await using var conn = control.DataSource.CreateConnection();
        return await conn.ExecuteAsync(Command(sql, parameters, null, ct));
    }

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
