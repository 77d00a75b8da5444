using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Rose.Core.Advisor;

/// <summary>
/// Runs <see cref="DemoWorkload"/> in the background on the embedded demo target only (a configured
/// target is someone's real database and is never touched), so start-up does not wait for it:
/// once at start, then a few statements every <see cref="TrickleInterval"/>. Off with
/// Rose:Advisor:DemoWorkload=false.
/// </summary>
public sealed class DemoWorkloadService(RoseRuntime runtime, DemoWorkload workload, IOptions<AdvisorOptions> options, ILogger<DemoWorkloadService> logger)
    : BackgroundService
{
    public static readonly TimeSpan TrickleInterval = TimeSpan.FromMinutes(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.DemoWorkload || runtime.Embedded is not { } embedded
            || !runtime.Targets.Any(t => t.Name == RoseBootstrap.DemoTargetName))
        {
            return;
        }

        var connection = embedded.ConnectionString(RoseBootstrap.DemoTargetName);
        // The role the console reads the demo with: the Performance page lists the statements it can see the text of.
        var demo = runtime.Targets.First(t => t.Name == RoseBootstrap.DemoTargetName);
        var traffic = demo.ReadOnlyConnectionString ?? demo.ConnectionString;
        try
        {
            await workload.PrepareAndRunAsync(connection, traffic, stoppingToken);
            using var timer = new PeriodicTimer(TrickleInterval);
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await workload.TrickleAsync(traffic, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (NpgsqlException ex)
        {
            // The demo's traffic is a convenience: its failure must not take the console down.
            logger.LogWarning("The demo workload stopped: {Message}", ex.Message);
        }
    }
}
