using Npgsql;
using NpgsqlTypes;

namespace Rose.Core.Control.Queries;

/// <summary>
/// Typed, unnamed parameters for the control database's positional SQL ($1, $2 ...). The type is
/// always stated so a null or an empty array still reaches the server with the column's type.
/// </summary>
internal static class PgParam
{
    public static NpgsqlParameter Text(string? value) => Typed(value, NpgsqlDbType.Text);

    /// <summary>JSON text sent as jsonb; the server parses it, so malformed JSON fails the statement.</summary>
    public static NpgsqlParameter Json(string? value) => Typed(value, NpgsqlDbType.Jsonb);

    public static NpgsqlParameter Long(long value) => new NpgsqlParameter<long> { TypedValue = value };

    public static NpgsqlParameter Long(long? value) => Typed(value, NpgsqlDbType.Bigint);

    public static NpgsqlParameter Int(int value) => new NpgsqlParameter<int> { TypedValue = value };

    public static NpgsqlParameter Int(int? value) => Typed(value, NpgsqlDbType.Integer);

    public static NpgsqlParameter Double(double value) => new NpgsqlParameter<double> { TypedValue = value };

    public static NpgsqlParameter Bool(bool value) => new NpgsqlParameter<bool> { TypedValue = value };

    public static NpgsqlParameter Bool(bool? value) => Typed(value, NpgsqlDbType.Boolean);

    public static NpgsqlParameter Interval(TimeSpan value) => new NpgsqlParameter<TimeSpan> { TypedValue = value, NpgsqlDbType = NpgsqlDbType.Interval };

    /// <summary>A point in time as timestamptz (converted to UTC, as Npgsql requires for timestamptz).</summary>
    public static NpgsqlParameter TimestampTz(DateTimeOffset? value) => Typed(value?.ToUniversalTime(), NpgsqlDbType.TimestampTz);

    public static NpgsqlParameter Array<T>(T[] values, NpgsqlDbType elementType) => Typed(values, NpgsqlDbType.Array | elementType);

    public static NpgsqlParameter TextArray(IEnumerable<string> values) => Array(values.ToArray(), NpgsqlDbType.Text);

    private static NpgsqlParameter Typed(object? value, NpgsqlDbType type) => new() { Value = value ?? DBNull.Value, NpgsqlDbType = type };
}
