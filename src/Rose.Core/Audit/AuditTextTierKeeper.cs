using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Rose.Core.Audit;

/// <summary>
/// Keeps the audit text search's tier indexes (<see cref="AuditTextTiers"/>) one tier ahead of the newest
/// audit row, so the tier new rows go into already has its index (built while empty, which is instant).
/// A console that was down while another wrote a whole tier, or a build that was interrupted, is caught
/// up on the next pass. Off the request path; a failed pass changes nothing search returns.
/// </summary>
internal sealed class AuditTextTierKeeper(ControlDatabase control, ILogger<AuditTextTierKeeper> logger) : BackgroundService
{
    /// <summary>
    /// Between passes. One tier is 1,000,000 ids; at a sustained 1,000 audit rows a second the next tier is
    /// reached in ~17 minutes, and it is already built when the one before it starts.
    /// </summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);

    private static readonly TimeSpan FirstDelay = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = FirstDelay;
        while (!stoppingToken.IsCancellationRequested)
        {
            await Task.Delay(delay, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            if (stoppingToken.IsCancellationRequested)
            {
                return;
            }

            try
            {
                if (await AuditTextTiers.EnsureAsync(control, AuditTextTiers.Width, stoppingToken) is > 0 and var built)
                {
                    logger.LogInformation("Built {Count} audit text search tier index(es)", built);
                }
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                logger.LogWarning(ex, "Building the audit text search tier indexes failed; search stays exact, and it is tried again in {Interval}", Interval);
            }

            delay = Interval;
        }
    }
}
