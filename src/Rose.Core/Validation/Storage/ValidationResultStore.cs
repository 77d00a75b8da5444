using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Rose.Core.Storage;

namespace Rose.Core.Validation.Storage;

/// <summary>A stored result with the run it belongs to (for history and trends).</summary>
public sealed record StoredResult(long Id, long RunId, DateTimeOffset RunStartedAt, CheckResult Result);

/// <summary>Table rose.validation_results: one row per check per run.</summary>
public sealed class ValidationResultStore(ControlDatabase control)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private const string Columns = """
        r.id, r.run_id, v.started_at, r.check_key, r.kind, r.table_name, r.column_name, r.title, r.status, r.failing_rows,
        r.sample::text, r.sql_text, r.duration_ms, r.message, r.observed
        """;

    /// <summary>All results of a run in one statement (arrays unnested), so a run's results land together.</summary>
    public async Task AddAsync(long runId, IReadOnlyList<CheckResult> results, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(results);
        if (results.Count == 0)
        {
            return;
        }

        await using var cmd = control.DataSource.CreateCommand("""
            INSERT INTO rose.validation_results (run_id, check_key, kind, table_name, column_name, title, status, failing_rows,
                sample, sql_text, duration_ms, message, observed)
            SELECT $1, u.* FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[],
                $9::jsonb[], $10::text[], $11::float8[], $12::text[], $13::numeric[]) AS u
            """);
        cmd.Parameters.Add(StoreParams.Long(runId));
        cmd.Parameters.Add(StoreParams.Array(results.Select(r => r.Key).ToArray(), NpgsqlDbType.Text));
        cmd.Parameters.Add(StoreParams.Array(results.Select(r => r.Kind).ToArray(), NpgsqlDbType.Text));
        cmd.Parameters.Add(StoreParams.Array(results.Select(r => r.Table).ToArray(), NpgsqlDbType.Text));
        cmd.Parameters.Add(StoreParams.Array(results.Select(r => r.Column).ToArray(), NpgsqlDbType.Text));
        cmd.Parameters.Add(StoreParams.Array(results.Select(r => r.Title).ToArray(), NpgsqlDbType.Text));
        cmd.Parameters.Add(StoreParams.Array(results.Select(r => r.Status).ToArray(), NpgsqlDbType.Text));
        cmd.Parameters.Add(StoreParams.Array(results.Select(r => r.FailingRows).ToArray(), NpgsqlDbType.Bigint));
        cmd.Parameters.Add(StoreParams.Array(results.Select(r => r.Sample is null ? null : JsonSerializer.Serialize(r.Sample, Json)).ToArray(), NpgsqlDbType.Jsonb));
        cmd.Parameters.Add(StoreParams.Array(results.Select(r => r.Sql).ToArray(), NpgsqlDbType.Text));
        cmd.Parameters.Add(StoreParams.Array(results.Select(r => r.DurationMs).ToArray(), NpgsqlDbType.Double));
        cmd.Parameters.Add(StoreParams.Array(results.Select(r => r.Message).ToArray(), NpgsqlDbType.Text));
        cmd.Parameters.Add(StoreParams.Array(results.Select(r => r.Observed).ToArray(), NpgsqlDbType.Numeric));
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>A run's results, failing checks first.</summary>
    public Task<IReadOnlyList<StoredResult>> ForRunAsync(long runId, CancellationToken ct) => QueryAsync($"""
        SELECT {Columns} FROM rose.validation_results r JOIN rose.validation_runs v ON v.id = r.run_id
        WHERE r.run_id = $1
        ORDER BY CASE r.status WHEN 'error' THEN 0 WHEN 'fail' THEN 1 WHEN 'warn' THEN 2 ELSE 3 END, r.table_name, r.check_key, r.id
        """, ct, StoreParams.Long(runId));

    /// <summary>One check's results over time, newest first.</summary>
    public Task<IReadOnlyList<StoredResult>> HistoryAsync(string database, string checkKey, int limit, CancellationToken ct) => QueryAsync($"""
        SELECT {Columns} FROM rose.validation_results r JOIN rose.validation_runs v ON v.id = r.run_id
        WHERE v.database_name = $1 AND r.check_key = $2
        ORDER BY r.run_id DESC, r.id DESC
        LIMIT $3
        """, ct, StoreParams.Text(database), StoreParams.Text(checkKey), StoreParams.Int(Math.Clamp(limit, 1, 1000)));

    /// <summary>Each check's observed value in the database's latest finished run before this one (row-count baselines).</summary>
    public async Task<IReadOnlyDictionary<string, decimal>> PreviousObservedAsync(string database, long beforeRunId, CancellationToken ct)
    {
        await using var cmd = control.DataSource.CreateCommand("""
            SELECT DISTINCT ON (r.check_key) r.check_key, r.observed
            FROM rose.validation_results r JOIN rose.validation_runs v ON v.id = r.run_id
            WHERE v.database_name = $1 AND v.id < $2 AND v.finished_at IS NOT NULL AND r.observed IS NOT NULL AND r.status <> 'error'
            ORDER BY r.check_key, r.run_id DESC, r.id DESC
            """);
        cmd.Parameters.Add(StoreParams.Text(database));
        cmd.Parameters.Add(StoreParams.Long(beforeRunId));
        var map = new Dictionary<string, decimal>(StringComparer.Ordinal);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            map[reader.GetString(0)] = reader.GetDecimal(1);
        }

        return map;
    }

    private async Task<IReadOnlyList<StoredResult>> QueryAsync(string sql, CancellationToken ct, params NpgsqlParameter[] parameters)
    {
        await using var cmd = control.DataSource.CreateCommand(sql);
        cmd.Parameters.AddRange(parameters);
        var list = new List<StoredResult>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var sample = r.IsDBNull(10) ? null : JsonSerializer.Deserialize<SampleRows>(r.GetString(10), Json);
            list.Add(new StoredResult(r.GetInt64(0), r.GetInt64(1), r.GetFieldValue<DateTimeOffset>(2), new CheckResult(
                r.GetString(3), StoreParams.NullableString(r, 4) ?? string.Empty, StoreParams.NullableString(r, 5) ?? string.Empty,
                StoreParams.NullableString(r, 6), StoreParams.NullableString(r, 7) ?? r.GetString(3), r.GetString(8),
                r.IsDBNull(9) ? null : r.GetInt64(9), sample, StoreParams.NullableString(r, 11) ?? string.Empty,
                r.IsDBNull(12) ? 0 : r.GetDouble(12), StoreParams.NullableString(r, 13), r.IsDBNull(14) ? null : r.GetDecimal(14))));
        }

        return list;
    }
}
