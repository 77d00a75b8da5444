using Npgsql;
using NpgsqlTypes;

namespace Rose.Core.Validation.Storage;

/// <summary>Typed positional parameters ($1, $2 ...) for the validation stores.</summary>
internal static class StoreParams
{
    public static NpgsqlParameter Text(string? value) => new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text };

    public static NpgsqlParameter Json(string? value) => new() { Value = (object?)value ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Jsonb };

    public static NpgsqlParameter Long(long value) => new NpgsqlParameter<long> { TypedValue = value };

    public static NpgsqlParameter Int(int value) => new NpgsqlParameter<int> { TypedValue = value };

    public static NpgsqlParameter Array<T>(T[] values, NpgsqlDbType elementType) =>
        new() { Value = values, NpgsqlDbType = NpgsqlDbType.Array | elementType };

    public static string? NullableString(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
