using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Rose.Core.Undo;

/// <summary>
/// Drops prior backups past Rose:PriorBackup:RetentionDays from their targets. Several console
/// instances may run it: a sweep first claims a session advisory lock on the control database, so
/// only one instance sweeps at a time and each backup is dropped and marked once.
/// </summary>
internal sealed class PriorBackupCleanup(ControlDatabase control, PriorBackupStore store, TargetRegistry targets, SqlExecutor executor,
    IOptions<RoseOptions> options, ILogger<PriorBackupCleanup> logger) : BackgroundService
{
    /// <summary>Session advisory lock key of a sweep ('rose' 'bkup' as two ASCII words).</summary>
    public const long AdvisoryLockKey = 0x726F7365_626B7570;

    /// <summary>Sweeps once; returns how many backups it dropped, or null when another instance holds the sweep.</summary>
    public async Task<int?> SweepAsync(CancellationToken ct)
    {
        await using var conn = await control.DataSource.OpenConnectionAsync(ct);
        if (!await LockAsync(conn, "SELECT pg_try_advisory_lock($1)", ct))
        {
            return null;
        }

        try
        {
            var dropped = 0;
            foreach (var record in await store.ExpiredAsync(100, ct))
            {
                if (targets.TryGet(record.Database, out var target))
                {
                    await executor.ExecuteUpkeepAsync(target, $"DROP TABLE IF EXISTS {record.Backup.BackupSql}", ct);
                }

                // A target no longer configured keeps its tables; the record still expires so the list stays true.
                await store.MarkDroppedAsync(record.Id, ct);
                dropped++;
            }

            return dropped;
        }
        finally
        {
            await LockAsync(conn, "SELECT pg_advisory_unlock($1)", CancellationToken.None);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromMinutes(options.Value.PriorBackup.CleanupIntervalMinutes);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await SweepAsync(stoppingToken) is > 0 and var count)
                {
                    logger.LogInformation("Dropped {Count} expired prior backup(s)", count);
                }
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                logger.LogWarning(ex, "The prior-backup retention sweep failed; it runs again in {Interval}", interval);
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
