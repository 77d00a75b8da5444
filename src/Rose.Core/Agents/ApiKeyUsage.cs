using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;

namespace Rose.Core.Agents;

/// <summary>
/// When each key was last used, written in batches: one UPDATE every few seconds for all keys used
/// since, instead of one write per API call. last_used_at is shown to admins (and helps them retire
/// idle keys); it is not a security record (the audit log is), so it may lag by <see cref="FlushInterval"/>.
/// What is pending at shutdown is written before the host stops.
/// </summary>
public sealed class ApiKeyUsage(AgentStore store, TimeProvider time, ILogger<ApiKeyUsage> logger) : BackgroundService
{
    public static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<long, DateTimeOffset> _pending = new();

    /// <summary>One flush at a time: a caller of <see cref="FlushAsync"/> returns only once uses taken by a concurrent flush are written too.</summary>
    private readonly SemaphoreSlim _flushing = new(1, 1);

    /// <summary>Notes a use of a key now (the write follows with the next batch).</summary>
    public void Record(long keyId)
    {
        var now = time.GetUtcNow();
        _pending.AddOrUpdate(keyId, now, (_, prior) => prior > now ? prior : now);
    }

    /// <summary>Writes every pending use in one statement. Uses that fail to write are kept for the next attempt.</summary>
    public async Task FlushAsync(CancellationToken ct)
    {
        await _flushing.WaitAsync(ct);
        try
        {
            await FlushPendingAsync(ct);
        }
        finally
        {
            _flushing.Release();
        }
    }

    private async Task FlushPendingAsync(CancellationToken ct)
    {
        if (_pending.IsEmpty)
        {
            return;
        }

        var batch = new List<KeyValuePair<long, DateTimeOffset>>(_pending.Count);
        foreach (var pair in _pending)
        {
            // Take only the value seen here; a newer use recorded meanwhile stays pending.
            if (_pending.TryRemove(pair))
            {
                batch.Add(pair);
            }
        }

        try
        {
            await store.RecordKeyUseAsync([.. batch.Select(p => p.Key)], [.. batch.Select(p => p.Value)], ct);
        }
        catch
        {
            foreach (var (keyId, at) in batch)
            {
                _pending.AddOrUpdate(keyId, at, (_, prior) => prior > at ? prior : at);
            }

            throw;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(FlushInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await TryFlushAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override void Dispose()
    {
        _flushing.Dispose();
        base.Dispose();
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await TryFlushAsync(cancellationToken);
    }

    private async Task TryFlushAsync(CancellationToken ct)
    {
        try
        {
            await FlushAsync(ct);
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or TimeoutException or ObjectDisposedException or InvalidOperationException)
        {
            logger.LogWarning(ex, "Could not record API key use; retrying with the next batch");
        }
    }
}
