using Npgsql;

namespace Rose.Core.Undo;

/// <summary>The schema a target had before Rose's first migration run on it: a schema-only custom-format dump, and when it was taken.</summary>
internal sealed record BaselineDump(DateTimeOffset TakenAt, byte[] Dump);

/// <summary>
/// Drift's starting point. Objects a target had before Rose managed it are not drift, so before a
/// migration run applies anything, the runner asks this to record the target's schema once
/// (pg_dump --schema-only --format=custom, without rose_backup) in rose_backup.schema_baseline on the
/// target itself: it travels with the database, whichever console instance looks at it. A drift check
/// restores it on the scratch database and replays only the migrations installed after it.
/// Best effort: a target where Rose may not create rose_backup, or a pg_dump that cannot dump the
/// server, still gets its migrations applied; the run says why no baseline was recorded.
/// </summary>
public sealed class SchemaBaseline
{
    private const string ExistsSql = "SELECT to_regclass('rose_backup.schema_baseline') IS NOT NULL";
    private const string ReadSql = "SELECT taken_at, dump FROM rose_backup.schema_baseline WHERE id = 1";

    private static readonly string[] CreateSql =
    [
        "CREATE SCHEMA IF NOT EXISTS rose_backup",
        "CREATE TABLE IF NOT EXISTS rose_backup.schema_baseline (id int PRIMARY KEY CHECK (id = 1), taken_at timestamptz NOT NULL DEFAULT now(), dump bytea NOT NULL)",
    ];

    private readonly SqlExecutor executor;
    private readonly IOptions<RoseOptions> options;

    /// <summary>Internal: it takes Execution's internal parts; hosts get the service from DI.</summary>
    internal SchemaBaseline(SqlExecutor executor, IOptions<RoseOptions> options)
    {
        this.executor = executor;
        this.options = options;
    }

    /// <summary>
    /// Records the baseline when the target has none, on the migration run's own session (under its
    /// lock, outside a transaction). Returns a note for the run when one was recorded or could not be.
    /// </summary>
    internal async Task<string?> RecordIfMissingAsync(RegisteredTarget target, TargetSession session, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(session);
        if ((bool)(await session.QueryAsync(ExistsSql, [], ct))[0][0]!
            && (await session.QueryAsync("SELECT 1 FROM rose_backup.schema_baseline WHERE id = 1", [], ct)).Count > 0)
        {
            return null;
        }

        var file = Path.Combine(Path.GetTempPath(), $"rose_baseline_{Guid.NewGuid():N}.dump");
        try
        {
            var (exit, error) = await PgClientTools.RunAsync(PgClientTools.Resolve("pg_dump", options.Value.Migrations.PgDumpPath),
                ["--schema-only", "--format=custom", "--no-owner", "--no-privileges", "--exclude-schema=rose_backup", "--file", file],
                new NpgsqlConnectionStringBuilder(target.Definition.ConnectionString), ct);
            if (exit != 0)
            {
                return $"No drift baseline was recorded (pg_dump exit {exit}: {error}); drift counts objects from before the first migration as added.";
            }

            var dump = await File.ReadAllBytesAsync(file, ct);
            await session.BeginAsync(ct);
            try
            {
                foreach (var sql in CreateSql)
                {
                    await session.QueryAsync(sql, [], ct);
                }

                await session.QueryAsync("INSERT INTO rose_backup.schema_baseline (id, dump) VALUES (1, $1) ON CONFLICT (id) DO NOTHING", [dump], ct);
                await session.CommitAsync(ct);
            }
            finally
            {
                await session.RollbackAsync();
            }

            return "Recorded the target's schema as the drift baseline (rose_backup.schema_baseline): objects that existed before this run are not drift.";
        }
        catch (Exception ex) when (ex is TargetToolException or PostgresException)
        {
            return $"No drift baseline was recorded ({(ex as PostgresException)?.MessageText ?? ex.Message}); drift counts objects from before the first migration as added.";
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>The target's baseline, or null when none was recorded.</summary>
    internal async Task<BaselineDump?> ReadAsync(RegisteredTarget target, CancellationToken ct)
    {
        if (!(bool)(await executor.ReadCatalogAsync(target, ExistsSql, [], ct))[0][0]!)
        {
            return null;
        }

        var rows = await executor.ReadCatalogAsync(target, ReadSql, [], ct);
        return rows.Count == 0 ? null : new BaselineDump(new DateTimeOffset((DateTime)rows[0][0]!, TimeSpan.Zero), (byte[])rows[0][1]!);
    }
}
