using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Rose.Core.Approvals;

/// <summary>
/// Marks pending requests past their expiry as expired and tells every instance. Approval itself
/// already refuses expired requests (the claim checks expires_at), so this only keeps pages honest.
/// With several consoles on one control database, one of them sweeps each interval (a work claim).
/// </summary>
public sealed class ApprovalExpiryService(ApprovalStore store, ApprovalNotifier notifier, Instances.WorkClaims claims, ILogger<ApprovalExpiryService> logger)
    : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        do
        {
            try
            {
                if (!await claims.TryClaimAsync("approval-expiry", Interval, stoppingToken))
                {
                    continue;
                }

                foreach (var id in await store.ExpireDueAsync(stoppingToken))
                {
                    await notifier.PublishAsync(id, stoppingToken);
                }
            }
            catch (NpgsqlException ex)
            {
                logger.LogWarning(ex, "Could not expire approval requests; will retry");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
