using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Rose.Mcp;

/// <summary>
/// Progress notifications for a tool call whose client sent a progressToken: one when the call
/// starts, then one every <see cref="Interval"/> until it answers. Rose's routes do not report
/// steps, so progress is the seconds elapsed (always increasing, as the protocol requires) and the
/// message says what is still running; a client can show it and keep waiting instead of timing out.
/// </summary>
public sealed class ProgressHeartbeat : IAsyncDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    private readonly CancellationTokenSource stop;
    private readonly Task loop;

    private ProgressHeartbeat(CancellationTokenSource stop, Task loop)
    {
        this.stop = stop;
        this.loop = loop;
    }

    /// <summary>Starts the notifications when the client asked for them; otherwise a no-op.</summary>
    public static ProgressHeartbeat Start(RequestContext<CallToolRequestParams> request, string tool, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (request.Params?.ProgressToken is not { } token)
        {
            return new ProgressHeartbeat(stop, Task.CompletedTask);
        }

        return new ProgressHeartbeat(stop, BeatAsync(request.Server, token, tool, stop.Token));
    }

    private static async Task BeatAsync(McpServer server, ProgressToken token, string tool, CancellationToken ct)
    {
        var started = TimeProvider.System.GetTimestamp();
        using var timer = new PeriodicTimer(Interval);
        try
        {
            do
            {
                var seconds = Math.Floor(TimeProvider.System.GetElapsedTime(started).TotalSeconds);
                await server.NotifyProgressAsync(token, new ProgressNotificationValue
                {
                    Progress = (float)seconds,
                    Message = seconds == 0 ? $"{tool} started" : $"{tool} still running ({seconds:0} s)",
                }, cancellationToken: ct);
            }
            while (await timer.WaitForNextTickAsync(ct));
        }
        catch (OperationCanceledException)
        {
            // The call answered or was cancelled: no more progress for it.
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or ObjectDisposedException)
        {
            // The client went away; the call itself carries on and answers (or is cancelled) on its own.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await loop;
        stop.Dispose();
    }
}
