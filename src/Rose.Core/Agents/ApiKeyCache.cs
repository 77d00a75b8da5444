using System.Collections.Concurrent;

namespace Rose.Core.Agents;

/// <summary>A key that passed verification against the control database, as the cache keeps it.</summary>
public sealed record VerifiedKey(long KeyId, Agent Agent, DateTimeOffset? ExpiresAt);

/// <summary>
/// Verified API keys for a few seconds, so an agent's calls do not each cost a control-database round trip.
/// It fails closed: entries are only stored while <see cref="ApiKeyChangeListener"/> is listening for
/// changes (a lost listener means nothing is cached and every call goes to the database), every change
/// notification empties it, and an entry never outlives its key's expiry. A verification that started
/// before a change cannot store its (possibly stale) answer after the change: <see cref="TryAdd"/>
/// compares the generation read before the database query with the current one.
/// </summary>
public sealed class ApiKeyCache(TimeProvider time)
{
    /// <summary>How long a verified key is trusted without asking the database again (revocations arrive sooner, by notification).</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(5);

    /// <summary>Bounds memory when someone presents many distinct valid keys; past it the cache starts over.</summary>
    private const int MaxEntries = 10_000;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private long _generation;
    private bool _live;

    /// <summary>Changes whenever the cache is emptied; read it before a verification query and hand it to <see cref="TryAdd"/>.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    /// <summary>True while changes are being listened for, i.e. while entries may be stored.</summary>
    public bool IsLive => Volatile.Read(ref _live);

    public int Count => _entries.Count;

    /// <summary>The cached verification of a key hash, if it is still fresh and its key not expired.</summary>
    public VerifiedKey? TryGet(string keyHash)
    {
        if (!_entries.TryGetValue(keyHash, out var entry))
        {
            return null;
        }

        var now = time.GetUtcNow();
        if (now >= entry.Until || entry.Generation != Generation)
        {
            _entries.TryRemove(new KeyValuePair<string, Entry>(keyHash, entry));
            return null;
        }

        return entry.Key;
    }

    /// <summary>Stores a verification unless the cache is not live or was emptied since <paramref name="generation"/> was read.</summary>
    public bool TryAdd(string keyHash, VerifiedKey key, long generation)
    {
        var until = time.GetUtcNow() + Lifetime;
        if (key.ExpiresAt is { } expires && expires < until)
        {
            until = expires;
        }

        lock (_gate)
        {
            // Under the gate so that an invalidation cannot slip between this check and the store.
            if (!_live || generation != _generation)
            {
                return false;
            }

            if (_entries.Count >= MaxEntries)
            {
                _entries.Clear();
            }

            _entries[keyHash] = new Entry(key, until, generation);
            return true;
        }
    }

    /// <summary>Empties the cache: a key or an agent changed somewhere, or its change notifications may have been missed.</summary>
    public void InvalidateAll()
    {
        lock (_gate)
        {
            _generation++;
            _entries.Clear();
        }
    }

    /// <summary>Called by the listener: live once LISTEN is acknowledged, not live when the connection is lost. Both empty the cache.</summary>
    public void SetLive(bool live)
    {
        lock (_gate)
        {
            _live = live;
            _generation++;
            _entries.Clear();
        }
    }

    private sealed record Entry(VerifiedKey Key, DateTimeOffset Until, long Generation);
}
