using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Rose.Core.Configuration;
using Rose.Core.Control;
using Rose.Core.Targets;

namespace Rose.Core.Undo;

/// <summary>
/// Deletes data snapshots past Rose:Migrations:DataSnapshots retention (older than RetentionDays, or
/// beyond the newest Keep of a target). Console instances that share Rose:DataDir all run it: a sweep
/// first claims a session advisory lock on the control database, as the prior-backup sweep does, so
/// one instance sweeps at a time and each snapshot is deleted once. A snapshot's manifest goes first,
/// so a half-deleted one is never listed or restored.
/// </summary>
internal sealed class DataSnapshotCleanup(ControlDatabase control, TargetRegistry targets, IOptions<RoseOptions> options, TimeProvider clock,
    ILogger<DataSnapshotCleanup> logger) : BackgroundService
{
    /// <summary>Session advisory lock key of a sweep ('rose' 'snap' as two ASCII words).</summary>
    public const long AdvisoryLockKey = 0x726F7365_736E6170;

    private readonly DataSnapshotFiles files = new(options.Value.DataDir);

    /// <summary>Sweeps once; returns the names it deleted (target/name), or null when another instance holds the sweep.</summary>
    public async Task<IReadOnlyList<string>?> SweepAsync(CancellationToken ct)
    {
        await using var conn = await control.DataSource.OpenConnectionAsync(ct);
        if (!await LockAsync(conn, "SELECT pg_try_advisory_lock($1)", ct))
        {
            return null;
        }

        try
        {
            var retention = options.Value.Migrations.DataSnapshots;
            var deleted = new List<string>();
            foreach (var target in targets.All)
            {
                foreach (var snapshot in retention.Expired(files.List(target.Name), clock.GetUtcNow()).ToList())
                {
                    files.Delete(target.Name, snapshot.Name);
                    deleted.Add($"{target.Name}/{snapshot.Name}");
                }
            }

            return deleted;
        }
        finally
        {
            await LockAsync(conn, "SELECT pg_advisory_unlock($1)", CancellationToken.None);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromMinutes(options.Value.Migrations.DataSnapshots.CleanupIntervalMinutes);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await SweepAsync(stoppingToken) is { Count: > 0 } deleted)
                {
                    logger.LogInformation("Deleted {Count} data snapshot(s) past retention: {Snapshots}", deleted.Count, string.Join(", ", deleted));
                }
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or IOException or UnauthorizedAccessException)
            {
                logger.LogWarning(ex, "The data-snapshot retention sweep failed; it runs again in {Interval}", interval);
            }

            await Task.Delay(interval, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private static async Task<bool> LockAsync(NpgsqlConnection conn, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = AdvisoryLockKey });
        return (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }
}
