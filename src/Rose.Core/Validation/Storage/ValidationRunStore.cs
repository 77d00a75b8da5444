using Npgsql;
using Rose.Core.Storage;

namespace Rose.Core.Validation.Storage;

/// <summary>One validation run of one database.</summary>
public sealed record ValidationRun(long Id, string Database, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, string TriggeredBy,
    string Status, DateTimeOffset? ScheduleSlot, string? SummaryJson, string? Error);

/// <summary>Table rose.validation_runs, including the once-per-slot claim of scheduled runs.</summary>
public sealed class ValidationRunStore(ControlDatabase control)
{
    private const string Columns = "id, database_name, started_at, finished_at, triggered_by, status, schedule_slot, summary::text, error";

    public async Task<long> StartAsync(string database, string triggeredBy, CancellationToken ct)
    {
        await using var cmd = control.DataSource.CreateCommand(
            "INSERT INTO rose.validation_runs (database_name, triggered_by) VALUES ($1, $2) RETURNING id");
        cmd.Parameters.Add(StoreParams.Text(database));
        cmd.Parameters.Add(StoreParams.Text(triggeredBy));
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>
    /// Claims a schedule slot: the unique index on (database_name, schedule_slot) lets exactly one
    /// instance insert the row; the others get null and skip the slot.
    /// </summary>
    public async Task<long?> ClaimSlotAsync(string database, DateTimeOffset slot, string triggeredBy, CancellationToken ct)
    {
        await using var cmd = control.DataSource.CreateCommand("""
            INSERT INTO rose.validation_runs (database_name, triggered_by, schedule_slot) VALUES ($1, $2, $3)
            ON CONFLICT (database_name, schedule_slot) WHERE schedule_slot IS NOT NULL DO NOTHING
            RETURNING id
            """);
        cmd.Parameters.Add(StoreParams.Text(database));
        cmd.Parameters.Add(StoreParams.Text(triggeredBy));
        cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = slot.ToUniversalTime() });
        return await cmd.ExecuteScalarAsync(ct) is long id ? id : null;
    }

    public async Task FinishAsync(long id, string status, string? summaryJson, string? error, CancellationToken ct)
    {
        await using var cmd = control.DataSource.CreateCommand(
            "UPDATE rose.validation_runs SET finished_at = now(), status = $2, summary = $3, error = $4 WHERE id = $1");
        cmd.Parameters.Add(StoreParams.Long(id));
        cmd.Parameters.Add(StoreParams.Text(status));
        cmd.Parameters.Add(StoreParams.Json(summaryJson));
        cmd.Parameters.Add(StoreParams.Text(error));
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task<ValidationRun?> GetAsync(long id, CancellationToken ct)
    {
        await using var cmd = control.DataSource.CreateCommand($"SELECT {Columns} FROM rose.validation_runs WHERE id = $1");
        cmd.Parameters.Add(StoreParams.Long(id));
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }

    /// <summary>Newest first; id breaks ties between runs started in the same instant.</summary>
    public async Task<IReadOnlyList<ValidationRun>> ListAsync(string? database, int limit, CancellationToken ct)
    {
        await using var cmd = control.DataSource.CreateCommand($"""
            SELECT {Columns} FROM rose.validation_runs
            WHERE ($1::text IS NULL OR database_name = $1)
            ORDER BY started_at DESC, id DESC
            LIMIT $2
            """);
        cmd.Parameters.Add(StoreParams.Text(database));
        cmd.Parameters.Add(StoreParams.Int(Math.Clamp(limit, 1, 500)));
        var list = new List<ValidationRun>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            list.Add(Read(reader));
        }

        return list;
    }

    private static ValidationRun Read(NpgsqlDataReader r) => new(
        r.GetInt64(0), r.GetString(1), r.GetFieldValue<DateTimeOffset>(2),
        r.IsDBNull(3) ? null : r.GetFieldValue<DateTimeOffset>(3), r.GetString(4), r.GetString(5),
        r.IsDBNull(6) ? null : r.GetFieldValue<DateTimeOffset>(6), StoreParams.NullableString(r, 7), StoreParams.NullableString(r, 8));
}
