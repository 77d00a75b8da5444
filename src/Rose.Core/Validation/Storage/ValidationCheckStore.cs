using Rose.Core.Control.Queries;

namespace Rose.Core.Validation.Storage;

/// <summary>A check someone accepted or wrote, stored per database.</summary>
public sealed record StoredCheck(long Id, string Database, string Key, CheckDefinition Definition, bool Enabled, DateTimeOffset CreatedAt, string? CreatedBy);

/// <summary>Table rose.validation_checks: the accepted and hand-written checks of each database.</summary>
public sealed class ValidationCheckStore(ControlDatabase control)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Adds a check, or re-enables and updates the one with the same key (accepting twice is harmless).</summary>
    public Task<long> UpsertAsync(string database, CheckDefinition definition, string? createdBy, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return control.QuerySingleAsync<long>("""
            INSERT INTO rose.validation_checks (database_name, kind, table_name, definition, check_key, created_by)
            VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (database_name, check_key) DO UPDATE SET definition = EXCLUDED.definition, enabled = true
            RETURNING id
            """, new(PgParam.Text(database), PgParam.Text(definition.Kind), PgParam.Text(definition.QualifiedTable),
            PgParam.Json(JsonSerializer.Serialize(definition, Json)), PgParam.Text(definition.Key), PgParam.Text(createdBy)), ct);
    }

    public async Task<IReadOnlyList<StoredCheck>> ListAsync(string database, bool enabledOnly, CancellationToken ct)
    {
        var rows = await control.QueryAsync<CheckRow>("""
            SELECT id AS "Id", database_name AS "Database", check_key AS "Key", definition::text AS "DefinitionJson", enabled AS "Enabled",
                   created_at AS "CreatedAt", created_by AS "CreatedBy"
            FROM rose.validation_checks
            WHERE database_name = $1 AND (enabled OR NOT $2)
            ORDER BY table_name, kind, check_key, id
            """, new(PgParam.Text(database), PgParam.Bool(enabledOnly)), ct);
        return [.. rows.Select(r => r.ToStored())];
    }

    public async Task<bool> SetEnabledAsync(long id, bool enabled, CancellationToken ct) =>
        await control.ExecuteAsync("UPDATE rose.validation_checks SET enabled = $2 WHERE id = $1", new(PgParam.Long(id), PgParam.Bool(enabled)), ct) == 1;

    /// <summary>A validation_checks row as stored: the definition is JSON until it is parsed here.</summary>
    private sealed record CheckRow(long Id, string Database, string Key, string DefinitionJson, bool Enabled, DateTimeOffset CreatedAt, string? CreatedBy)
    {
        public StoredCheck ToStored() => new(Id, Database, Key,
            JsonSerializer.Deserialize<CheckDefinition>(DefinitionJson, Json) ?? throw new ValidationException($"Check {Id} has an empty definition."),
            Enabled, CreatedAt, CreatedBy);
    }
}
