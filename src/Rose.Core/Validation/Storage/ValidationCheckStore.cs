using System.Text.Json;
using Rose.Core.Storage;

namespace Rose.Core.Validation.Storage;

/// <summary>A check someone accepted or wrote, stored per database.</summary>
public sealed record StoredCheck(long Id, string Database, string Key, CheckDefinition Definition, bool Enabled, DateTimeOffset CreatedAt, string? CreatedBy);

/// <summary>Table rose.validation_checks: the accepted and hand-written checks of each database.</summary>
public sealed class ValidationCheckStore(ControlDatabase control)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Adds a check, or re-enables and updates the one with the same key (accepting twice is harmless).</summary>
    public async Task<long> UpsertAsync(string database, CheckDefinition definition, string? createdBy, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(definition);
        await using var cmd = control.DataSource.CreateCommand("""
            INSERT INTO rose.validation_checks (database_name, kind, table_name, definition, check_key, created_by)
            VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (database_name, check_key) DO UPDATE SET definition = EXCLUDED.definition, enabled = true
            RETURNING id
            """);
        cmd.Parameters.Add(StoreParams.Text(database));
        cmd.Parameters.Add(StoreParams.Text(definition.Kind));
        cmd.Parameters.Add(StoreParams.Text(definition.QualifiedTable));
        cmd.Parameters.Add(StoreParams.Json(JsonSerializer.Serialize(definition, Json)));
        cmd.Parameters.Add(StoreParams.Text(definition.Key));
        cmd.Parameters.Add(StoreParams.Text(createdBy));
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    public async Task<IReadOnlyList<StoredCheck>> ListAsync(string database, bool enabledOnly, CancellationToken ct)
    {
        await using var cmd = control.DataSource.CreateCommand("""
            SELECT id, database_name, check_key, definition::text, enabled, created_at, created_by
            FROM rose.validation_checks
            WHERE database_name = $1 AND (enabled OR NOT $2)
            ORDER BY table_name, kind, check_key, id
            """);
        cmd.Parameters.Add(StoreParams.Text(database));
        cmd.Parameters.Add(new Npgsql.NpgsqlParameter<bool> { TypedValue = enabledOnly });
        var list = new List<StoredCheck>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var definition = JsonSerializer.Deserialize<CheckDefinition>(reader.GetString(3), Json)
                ?? throw new ValidationException($"Check {reader.GetInt64(0)} has an empty definition.");
            list.Add(new StoredCheck(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), definition, reader.GetBoolean(4),
                reader.GetFieldValue<DateTimeOffset>(5), StoreParams.NullableString(reader, 6)));
        }

        return list;
    }

    public async Task<bool> SetEnabledAsync(long id, bool enabled, CancellationToken ct)
    {
        await using var cmd = control.DataSource.CreateCommand("UPDATE rose.validation_checks SET enabled = $2 WHERE id = $1");
        cmd.Parameters.Add(StoreParams.Long(id));
        cmd.Parameters.Add(new Npgsql.NpgsqlParameter<bool> { TypedValue = enabled });
        return await cmd.ExecuteNonQueryAsync(ct) == 1;
    }
}
