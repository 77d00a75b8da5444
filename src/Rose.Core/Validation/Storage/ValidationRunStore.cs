using Microsoft.Extensions.Options;
using Npgsql;
using Rose.Core.Storage;

namespace Rose.Core.Validation.Storage;

/// <summary>One validation run of one database.</summary>
public sealed record ValidationRun(long Id, string Database, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, string TriggeredBy,
    string Status, DateTimeOffset? ScheduleSlot, string? SummaryJson, string? Error, DateTimeOffset HeartbeatAt);

/// <summary>
/// Table rose.validation_runs, including the once-per-slot claim of scheduled runs and the
/// heartbeat that tells a live run from one whose process died.
/// </summary>
public sealed class ValidationRunStore(ControlDatabase control, IOptions<ValidationOptions> options)
{
    private const string Columns = "id, database_name, started_at, finished_at, triggered_by, status, schedule_slot, summary::text, error, heartbeat_at";

    public async Task<long> StartAsync(string database, string triggeredBy, CancellationToken ct)
    {
        await using var cmd = control.DataSource.CreateCommand(
            "INSERT INTO rose.validation_runs (database_name, triggered_by) VALUES ($1, $2) RETURNING id");
        cmd.Parameters.Add(StoreParams.Text(database));
        cmd.Parameters.Add(StoreParams.Text(triggeredBy));
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>
    /// Claims a schedule slot: the unique index on (database_name, schedule_slot) over runs that are
    /// not abandoned lets exactly one instance insert the row; the others get null and skip the slot.
    /// A run of the slot whose heartbeat went stale is first marked abandoned, which frees the slot;
    /// the sweep's row lock and re-check under READ COMMITTED mean only one claimer abandons it, and
    /// the index still admits one new row however many claimers race. A live run beats, so it is
    /// never swept and keeps its slot.
    /// </summary>
    public async Task<long?> ClaimSlotAsync(string database, DateTimeOffset slot, string triggeredBy, CancellationToken ct)
    {
        await SweepAbandonedAsync(database, ct);
        await using var cmd = control.DataSource.CreateCommand("""
            INSERT INTO rose.validation_runs (database_name, triggered_by, schedule_slot) VALUES ($1, $2, $3)
            ON CONFLICT (database_name, schedule_slot) WHERE schedule_slot IS NOT NULL AND status <> 'abandoned' DO NOTHING
            RETURNING id
            """);
        cmd.Parameters.Add(StoreParams.Text(database));
        cmd.Parameters.Add(StoreParams.Text(triggeredBy));
        cmd.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = slot.ToUniversalTime() });
        return await cmd.ExecuteScalarAsync(ct) is long id ? id : null;
    }

    /// <summary>
    /// Refreshes a running run's heartbeat. False when the run is no longer 'running': a sweep took it
    /// for dead (it stalled longer than Rose:Validation:AbandonAfterSeconds) and its slot may be run by
    /// another instance, so the caller must stop.
    /// </summary>
    public async Task<bool> HeartbeatAsync(long id, CancellationToken ct)
    {
        await using var cmd = control.DataSource.CreateCommand(
            "UPDATE rose.validation_runs SET heartbeat_at = now() WHERE id = $1 AND status = 'running'");
        cmd.Parameters.Add(StoreParams.Long(id));
        return await cmd.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>
    /// Marks running runs (of one database, or all when null) whose heartbeat is older than
    /// Rose:Validation:AbandonAfterSeconds as abandoned, with finished_at and an error saying so.
    /// Time is the control database's clock on both sides, so instances with skewed clocks agree.
    /// Returns how many runs it closed.
    /// </summary>
    public async Task<int> SweepAbandonedAsync(string? database, CancellationToken ct)
    {
        var seconds = options.Value.AbandonAfterSeconds;
        await using var cmd = control.DataSource.CreateCommand($"""
            UPDATE rose.validation_runs
            SET status = '{RunStatus.Abandoned}', finished_at = now(),
                error = concat_ws(E'\n', error, format('abandoned: no heartbeat since %s (more than %s s, Rose:Validation:AbandonAfterSeconds); the process running it stopped or lost the control database', heartbeat_at, $2::int))
            WHERE status = '{RunStatus.Running}' AND heartbeat_at < now() - make_interval(secs => $2::int)
              AND ($1::text IS NULL OR database_name = $1)
            """);
        cmd.Parameters.Add(StoreParams.Text(database));
        cmd.Parameters.Add(StoreParams.Int(seconds));
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Records the outcome. False when the run was abandoned meanwhile: the sweep's verdict stands,
    /// because the slot may already belong to another run.
    /// </summary>
    public async Task<bool> FinishAsync(long id, string status, string? summaryJson, string? error, CancellationToken ct)
    {
        await using var cmd = control.DataSource.CreateCommand(
            $"UPDATE rose.validation_runs SET finished_at = now(), heartbeat_at = now(), status = $2, summary = $3, error = $4 WHERE id = $1 AND status = '{RunStatus.Running}'");
        cmd.Parameters.Add(StoreParams.Long(id));
        cmd.Parameters.Add(StoreParams.Text(status));
        cmd.Parameters.Add(StoreParams.Json(summaryJson));
        cmd.Parameters.Add(StoreParams.Text(error));
        return await cmd.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>One run; a dead run is shown as abandoned, never as running forever.</summary>
    public async Task<ValidationRun?> GetAsync(long id, CancellationToken ct)
    {
        await SweepAbandonedAsync(null, ct);
        await using var cmd = control.DataSource.CreateCommand($"SELECT {Columns} FROM rose.validation_runs WHERE id = $1");
        cmd.Parameters.Add(StoreParams.Long(id));
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }

    /// <summary>
    /// Newest first; id breaks ties between runs started in the same instant. Sweeps first, so the
    /// page and the API close dead runs even when no scheduler is running.
    /// </summary>
    public async Task<IReadOnlyList<ValidationRun>> ListAsync(string? database, int limit, CancellationToken ct)
    {
        await SweepAbandonedAsync(database, ct);
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
        r.IsDBNull(6) ? null : r.GetFieldValue<DateTimeOffset>(6), StoreParams.NullableString(r, 7), StoreParams.NullableString(r, 8),
        r.GetFieldValue<DateTimeOffset>(9));
}
