using Microsoft.Extensions.Hosting;

namespace Rose.Core.Audit.Checkpoints;

/// <summary>
/// Signs the chain's head every Rose:Audit:CheckpointIntervalSeconds (and once at start and at stop). With
/// several consoles on one control database, the one that claims the interval signs it (a work claim), so
/// the chain gets one checkpoint per interval, not one per console.
/// </summary>
internal sealed class AuditCheckpointService(AuditCheckpoints checkpoints, Instances.WorkClaims claims, IOptions<RoseOptions> options,
    ILogger<AuditCheckpointService> log)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromSeconds(Math.Max(1, options.Value.Audit.CheckpointIntervalSeconds));
        using var timer = new PeriodicTimer(interval);
        do
        {
            await TryWriteAsync(claimed: true, interval, stoppingToken);
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        // At stop, unclaimed: whatever this console wrote last is vouched for before it goes.
        await TryWriteAsync(claimed: false, TimeSpan.Zero, cancellationToken);
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try
        {
            return await timer.WaitForNextTickAsync(ct);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task TryWriteAsync(bool claimed, TimeSpan interval, CancellationToken ct)
    {
        try
        {
            if (claimed && !await claims.TryClaimAsync("audit-checkpoint", interval, ct))
            {
                return;
            }

            await checkpoints.WriteAsync(ct);
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or IOException or UnauthorizedAccessException or TimeoutException or InvalidOperationException)
        {
            // The next tick tries again; a missing checkpoint only widens the window verify can vouch for.
            log.LogWarning(ex, "The audit checkpoint could not be written");
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }
}
