using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Rose.Core.Configuration;

namespace Rose.Core.Audit.Checkpoints;

/// <summary>Signs the chain's head every Rose:Audit:CheckpointIntervalSeconds (and once at start and at stop).</summary>
internal sealed class AuditCheckpointService(AuditCheckpoints checkpoints, IOptions<RoseOptions> options, ILogger<AuditCheckpointService> log)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromSeconds(Math.Max(1, options.Value.Audit.CheckpointIntervalSeconds));
        using var timer = new PeriodicTimer(interval);
        do
        {
            await TryWriteAsync(stoppingToken);
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await TryWriteAsync(cancellationToken);
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

    private async Task TryWriteAsync(CancellationToken ct)
    {
        try
        {
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
