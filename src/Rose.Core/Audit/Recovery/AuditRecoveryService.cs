using Microsoft.Extensions.Hosting;

namespace Rose.Core.Audit.Recovery;

/// <summary>Runs <see cref="AuditRecovery"/> at start-up and every Rose:Audit:RecoveryIntervalSeconds.</summary>
internal sealed class AuditRecoveryService(AuditRecovery recovery, IOptions<RoseOptions> options, ILogger<AuditRecoveryService> log)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Max(1, options.Value.Audit.RecoveryIntervalSeconds)));
        try
        {
            do
            {
                try
                {
                    await recovery.RecoverAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is Npgsql.NpgsqlException or TimeoutException or InvalidOperationException or AuditUnavailableException)
                {
                    // The control database is away: the next tick tries again, nothing is lost by waiting.
                    log.LogWarning(ex, "Audit recovery could not run; will retry");
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
