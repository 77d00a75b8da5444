using Rose.Core.Control.Queries;

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
    private const string Columns = """
        id AS "Id", database_name AS "Database", started_at AS "StartedAt", finished_at AS "FinishedAt", triggered_by AS "TriggeredBy",
        status AS "Status", schedule_slot AS "ScheduleSlot", summary::text AS "SummaryJson", error AS "Error", heartbeat_at AS "HeartbeatAt"
        """;

    public Task<long> StartAsync(string database, string triggeredBy, CancellationToken ct) =>
        control.QuerySingleAsync<long>("INSERT INTO rose.validation_runs (database_name, triggered_by) VALUES ($1, $2) RETURNING id",
            new(PgParam.Text(database), PgParam.Text(triggeredBy)), ct);

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
        return await control.QuerySingleOrDefaultAsync<long?>("""
            INSERT INTO rose.validation_runs (database_name, triggered_by, schedule_slot) VALUES ($1, $2, $3)
            ON CONFLICT (database_name, schedule_slot) WHERE schedule_slot IS NOT NULL AND status <> 'abandoned' DO NOTHING
            RETURNING id
            """, new(PgParam.Text(database), PgParam.Text(triggeredBy), PgParam.TimestampTz(slot)), ct);
    }

    /// <summary>
    /// Refreshes a running run's heartbeat. False when the run is no longer 'running': a sweep took it
    /// for dead (it stalled longer than Rose:Validation:AbandonAfterSeconds) and its slot may be run by
    /// another instance, so the caller must stop.
    /// </summary>
    public async Task<bool> HeartbeatAsync(long id, CancellationToken ct) =>
        await control.ExecuteAsync("UPDATE rose.validation_runs SET heartbeat_at = now() WHERE id = $1 AND status = 'running'", new(PgParam.Long(id)), ct) == 1;

    /// <summary>
    /// Marks running runs (of one database, or all when null) whose heartbeat is older than
    /// Rose:Validation:AbandonAfterSeconds as abandoned, with finished_at and an error saying so.
    /// Time is the control database's clock on both sides, so instances with skewed clocks agree.
    /// Returns how many runs it closed.
    /// </summary>
    public async Task<int> SweepAbandonedAsync(string? database, CancellationToken ct)
    {
        var seconds = options.Value.AbandonAfterSeconds;
        return await control.ExecuteAsync($"""
            UPDATE rose.validation_runs
            SET status = '{RunStatus.Abandoned}', finished_at = now(),
                error = concat_ws(E'\n', error, format('abandoned: no heartbeat since %s (more than %s s, Rose:Validation:AbandonAfterSeconds); the process running it stopped or lost the control database', heartbeat_at, $2::int))
            WHERE status = '{RunStatus.Running}' AND heartbeat_at < now() - make_interval(secs => $2::int)
              AND ($1::text IS NULL OR database_name = $1)
            """, new(PgParam.Text(database), PgParam.Int(seconds)), ct);
    }

    /// <summary>
    /// Records the outcome. False when the run was abandoned meanwhile: the sweep's verdict stands,
    /// because the slot may already belong to another run.
    /// </summary>
    public async Task<bool> FinishAsync(long id, string status, string? summaryJson, string? error, CancellationToken ct) =>
        await control.ExecuteAsync(
            $"UPDATE rose.validation_runs SET finished_at = now(), heartbeat_at = now(), status = $2, summary = $3, error = $4 WHERE id = $1 AND status = '{RunStatus.Running}'",
            new(PgParam.Long(id), PgParam.Text(status), PgParam.Json(summaryJson), PgParam.Text(error)), ct) == 1;

    /// <summary>One run; a dead run is shown as abandoned, never as running forever.</summary>
    public async Task<ValidationRun?> GetAsync(long id, CancellationToken ct)
    {
        await SweepAbandonedAsync(null, ct);
        return await control.QuerySingleOrDefaultAsync<ValidationRun>($"SELECT {Columns} FROM rose.validation_runs WHERE id = $1", new(PgParam.Long(id)), ct);
    }

    /// <summary>
    /// Newest first; id breaks ties between runs started in the same instant. Sweeps first, so the
    /// page and the API close dead runs even when no scheduler is running.
    /// </summary>
    public Task<IReadOnlyList<ValidationRun>> ListAsync(string? database, int limit, CancellationToken ct) =>
        DatabaseErrors.TranslateAsync(() => ListUntranslatedAsync(database, limit, ct));

    private async Task<IReadOnlyList<ValidationRun>> ListUntranslatedAsync(string? database, int limit, CancellationToken ct)
    {
        await SweepAbandonedAsync(database, ct);
        return await control.QueryAsync<ValidationRun>($"""
            SELECT {Columns} FROM rose.validation_runs
            WHERE ($1::text IS NULL OR database_name = $1)
            ORDER BY started_at DESC, id DESC
            LIMIT $2
            """, new(PgParam.Text(database), PgParam.Int(Math.Clamp(limit, 1, 500))), ct);
    }
}
