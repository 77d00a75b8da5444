using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Rose.Core.Audit;

/// <summary>
/// Keeps the audit text search's gram statistics (<see cref="AuditTextGramStats"/>) current: a sample
/// every few hours, first a little after start (not during it). Off the request path and not per audit
/// INSERT; a failed refresh keeps the previous figures, and search is exactly correct with any figures
/// or none (they only choose between equally correct plans).
/// </summary>
internal sealed class AuditTextGramRefresher(ControlDatabase control, ILogger<AuditTextGramRefresher> logger) : BackgroundService
{
    /// <summary>How old the figures may get; a sample takes seconds, and which sequences are rare changes slowly.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromHours(6);

    private static readonly TimeSpan FirstDelay = TimeSpan.FromMinutes(2);

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
                if (await AuditTextGramStats.RefreshAsync(control, Interval, stoppingToken) is { } sampled)
                {
                    logger.LogInformation("Audit text search statistics refreshed from {Rows} sampled rows", sampled);
                }
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                logger.LogWarning(ex, "Refreshing the audit text search statistics failed; it is tried again in {Interval}", Interval);
            }

            delay = Interval / 6;
        }
    }
}
