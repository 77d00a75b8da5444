using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Rose.Core.Audit;

/// <summary>
/// A background pass over the control database that runs a while after start-up (not during it) and then
/// at a fixed period, off the request path. A failed pass (the control database away, a timeout) is logged
/// and tried again at the next period; it must leave nothing half done that a later pass cannot finish.
/// </summary>
internal abstract class PeriodicControlPass(ILogger logger) : BackgroundService
{
    /// <summary>Before the first pass.</summary>
    protected abstract TimeSpan FirstDelay { get; }

    /// <summary>Between passes.</summary>
    protected abstract TimeSpan Period { get; }

    /// <summary>What the warning says failed ("Refreshing ...").</summary>
    protected abstract string Activity { get; }

    protected abstract Task PassAsync(CancellationToken ct);

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
                await PassAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                logger.LogWarning(ex, "{Activity} failed; it is tried again in {Period}", Activity, Period);
            }

            delay = Period;
        }
    }
}
