using Rose.Core.Validation.Storage;

namespace Rose.Core.Validation;

/// <summary>
/// Beats a run's heartbeat on a timer while the run works, independently of its steps: one table
/// scan may take longer than the abandon window, and a live run must never look dead. When a beat
/// finds the run no longer 'running' (a sweep took it for dead, so another instance may own its slot
/// now), <see cref="Lost"/> is cancelled and the run stops instead of racing the new owner.
/// </summary>
internal sealed class RunHeartbeat : IAsyncDisposable
{
    private readonly CancellationTokenSource stop = new();
    private readonly CancellationTokenSource lost = new();
    private readonly Task loop;

    public RunHeartbeat(ValidationRunStore runs, long runId, TimeSpan interval, TimeProvider time, ILogger logger)
    {
        loop = BeatAsync(runs, runId, interval, time, logger);
    }

    /// <summary>Cancelled when the run was abandoned under it.</summary>
    public CancellationToken Lost => lost.Token;

    public bool IsLost => lost.IsCancellationRequested;

    private async Task BeatAsync(ValidationRunStore runs, long runId, TimeSpan interval, TimeProvider time, ILogger logger)
    {
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stop.Token))
            {
                try
                {
                    if (!await runs.HeartbeatAsync(runId, stop.Token))
                    {
                        logger.LogWarning("Validation run {RunId} was marked abandoned while still working; stopping it", runId);
                        await lost.CancelAsync();
                        return;
                    }
                }
                catch (Exception ex) when (ex is Npgsql.NpgsqlException or TimeoutException)
                {
                    // A missed beat is harmless (five fit in the abandon window); keep trying.
                    logger.LogWarning(ex, "Heartbeat of validation run {RunId} failed", runId);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await loop;
        stop.Dispose();
        lost.Dispose();
    }
}
