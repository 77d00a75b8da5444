using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Rose.Core.Agents;

/// <summary>
/// Listens on channel rose_api_keys (notified by triggers on rose.api_keys and rose.agents, see
/// Control/Schema/V230__api_key_change_notify.sql) and empties the <see cref="ApiKeyCache"/> on every notification, so a
/// key revoked on any instance, or by hand in psql, stops working here as soon as the change commits.
/// The cache only stores keys while this listener is connected: if the connection drops, notifications
/// could be missed, so caching stops (every call verifies against the database) until LISTEN is back.
/// </summary>
public sealed class ApiKeyChangeListener(ControlDatabase control, ApiKeyCache cache, ILogger<ApiKeyChangeListener> logger) : BackgroundService
{
    public const string Channel = "rose_api_keys";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var conn = await control.DataSource.OpenConnectionAsync(stoppingToken);
                conn.Notification += (_, _) => cache.InvalidateAll();
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", conn))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                // Anything cached before this point may have missed a notification: start empty.
                cache.SetLive(true);
                delay = TimeSpan.FromSeconds(1);
                try
                {
                    while (!stoppingToken.IsCancellationRequested)
                    {
                        await conn.WaitAsync(stoppingToken);
                    }
                }
                finally
                {
                    cache.SetLive(false);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or System.IO.IOException or InvalidOperationException or TimeoutException)
            {
                logger.LogWarning(ex, "API key change notifications interrupted; keys are verified without the cache until they resume (retry in {Delay})", delay);
                await Task.Delay(delay, stoppingToken);
                delay = TimeSpan.FromSeconds(Math.Min(30, delay.TotalSeconds * 2));
            }
        }
    }
}
