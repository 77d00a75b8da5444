using NpgsqlTypes;
using Rose.Core.Control.Queries;

namespace Rose.Core.Validation.Storage;

/// <summary>A stored result with the run it belongs to (for history and trends).</summary>
public sealed record StoredResult(long Id, long RunId, DateTimeOffset RunStartedAt, CheckResult Result);

/// <summary>Table rose.validation_results: one row per check per run.</summary>
public sealed class ValidationResultStore(ControlDatabase control)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private const string Columns = """
        r.id AS "Id", r.run_id AS "RunId", v.started_at AS "RunStartedAt", r.check_key AS "Key", coalesce(r.kind, '') AS "Kind",
        coalesce(r.table_name, '') AS "Table", r.column_name AS "Column", coalesce(r.title, r.check_key) AS "Title", r.status AS "Status",
        r.failing_rows AS "FailingRows", r.sample::text AS "SampleJson", coalesce(r.sql_text, '') AS "Sql",
        coalesce(r.duration_ms, 0) AS "DurationMs", r.message AS "Message", r.observed AS "Observed"
        """;

    /// <summary>All results of a run in one statement (arrays unnested), so a run's results land together.</summary>
    public async Task AddAsync(long runId, IReadOnlyList<CheckResult> results, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(results);
        if (results.Count == 0)
        {
            return;
        }

        await control.ExecuteAsync("""
            INSERT INTO rose.validation_results (run_id, check_key, kind, table_name, column_name, title, status, failing_rows,
                sample, sql_text, duration_ms, message, observed)
            SELECT $1, u.* FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[],
                $9::jsonb[], $10::text[], $11::float8[], $12::text[], $13::numeric[]) AS u
            """, new(PgParam.Long(runId),
            PgParam.Array(results.Select(r => r.Key).ToArray(), NpgsqlDbType.Text),
            PgParam.Array(results.Select(r => r.Kind).ToArray(), NpgsqlDbType.Text),
            PgParam.Array(results.Select(r => r.Table).ToArray(), NpgsqlDbType.Text),
            PgParam.Array(results.Select(r => r.Column).ToArray(), NpgsqlDbType.Text),
            PgParam.Array(results.Select(r => r.Title).ToArray(), NpgsqlDbType.Text),
            PgParam.Array(results.Select(r => r.Status).ToArray(), NpgsqlDbType.Text),
            PgParam.Array(results.Select(r => r.FailingRows).ToArray(), NpgsqlDbType.Bigint),
            PgParam.Array(results.Select(r => r.Sample is null ? null : JsonSerializer.Serialize(r.Sample, Json)).ToArray(), NpgsqlDbType.Jsonb),
            PgParam.Array(results.Select(r => r.Sql).ToArray(), NpgsqlDbType.Text),
            PgParam.Array(results.Select(r => r.DurationMs).ToArray(), NpgsqlDbType.Double),
            PgParam.Array(results.Select(r => r.Message).ToArray(), NpgsqlDbType.Text),
            PgParam.Array(results.Select(r => r.Observed).ToArray(), NpgsqlDbType.Numeric)), ct);
    }

    /// <summary>A run's results, failing checks first.</summary>
    public Task<IReadOnlyList<StoredResult>> ForRunAsync(long runId, CancellationToken ct) => ReadAsync($"""
        SELECT {Columns} FROM rose.validation_results r JOIN rose.validation_runs v ON v.id = r.run_id
        WHERE r.run_id = $1
        ORDER BY CASE r.status WHEN 'error' THEN 0 WHEN 'fail' THEN 1 WHEN 'warn' THEN 2 ELSE 3 END, r.table_name, r.check_key, r.id
        """, new(PgParam.Long(runId)), ct);

    /// <summary>One check's results over time, newest first.</summary>
    public Task<IReadOnlyList<StoredResult>> HistoryAsync(string database, string checkKey, int limit, CancellationToken ct) => ReadAsync($"""
        SELECT {Columns} FROM rose.validation_results r JOIN rose.validation_runs v ON v.id = r.run_id
        WHERE v.database_name = $1 AND r.check_key = $2
        ORDER BY r.run_id DESC, r.id DESC
        LIMIT $3
        """, new(PgParam.Text(database), PgParam.Text(checkKey), PgParam.Int(Math.Clamp(limit, 1, 1000))), ct);

    /// <summary>Each check's observed value in the database's latest finished run before this one (row-count baselines).</summary>
    public async Task<IReadOnlyDictionary<string, decimal>> PreviousObservedAsync(string database, long beforeRunId, CancellationToken ct)
    {
        var rows = await control.QueryAsync<ObservedRow>("""
            SELECT DISTINCT ON (r.check_key) r.check_key AS "Key", r.observed AS "Observed"
            FROM rose.validation_results r JOIN rose.validation_runs v ON v.id = r.run_id
            WHERE v.database_name = $1 AND v.id < $2 AND v.finished_at IS NOT NULL AND r.observed IS NOT NULL AND r.status <> 'error'
            ORDER BY r.check_key, r.run_id DESC, r.id DESC
            """, new(PgParam.Text(database), PgParam.Long(beforeRunId)), ct);
        return rows.ToDictionary(r => r.Key, r => r.Observed, StringComparer.Ordinal);
    }

    private async Task<IReadOnlyList<StoredResult>> ReadAsync(string sql, PositionalParameters parameters, CancellationToken ct) =>
        [.. (await control.QueryAsync<ResultRow>(sql, parameters, ct)).Select(r => r.ToStored())];

    private sealed record ObservedRow(string Key, decimal Observed);

    /// <summary>A validation_results row joined to its run; the sample is JSON until it is parsed here.</summary>
    private sealed record ResultRow(long Id, long RunId, DateTimeOffset RunStartedAt, string Key, string Kind, string Table, string? Column, string Title,
        string Status, long? FailingRows, string? SampleJson, string Sql, double DurationMs, string? Message, decimal? Observed)
    {
        public StoredResult ToStored() => new(Id, RunId, RunStartedAt, new CheckResult(Key, Kind, Table, Column, Title, Status, FailingRows,
            SampleJson is null ? null : JsonSerializer.Deserialize<SampleRows>(SampleJson, Json), Sql, DurationMs, Message, Observed));
    }
}
