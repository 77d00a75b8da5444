using System.Collections.Concurrent;

namespace Rose.Core.Agents;

/// <summary>A key that passed verification against the control database, as the cache keeps it.</summary>
public sealed record VerifiedKey(long KeyId, Agent Agent, DateTimeOffset? ExpiresAt);

/// <summary>
/// Verified API keys, and the agents they belong to (policy, MCP tools), for a few seconds, so an agent's
/// calls do not each cost control-database round trips (one for the key, one for the policy, one for the
/// MCP allow-list).
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

    private readonly ConcurrentDictionary<string, Entry<VerifiedKey>> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Entry<Agent>> _agents = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private long _generation;
    private bool _live;

    /// <summary>Changes whenever the cache is emptied; read it before a verification query and hand it to <see cref="TryAdd"/>.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    /// <summary>True while changes are being listened for, i.e. while entries may be stored.</summary>
    public bool IsLive => Volatile.Read(ref _live);

    public int Count => _entries.Count;

    /// <summary>The cached verification of a key hash, if it is still fresh and its key not expired.</summary>
    public VerifiedKey? TryGet(string keyHash) => Fresh(_entries, keyHash);

    /// <summary>The agent as read from the database within <see cref="Lifetime"/>, if nothing changed since.</summary>
    public Agent? TryGetAgent(string agentId) => Fresh(_agents, agentId);

    /// <summary>Stores a verification (and its agent) unless the cache is not live or was emptied since <paramref name="generation"/> was read.</summary>
    public bool TryAdd(string keyHash, VerifiedKey key, long generation)
    {
        ArgumentNullException.ThrowIfNull(key);
        var agentUntil = time.GetUtcNow() + Lifetime;
        // Never trusted past the key's own expiry; the agent entry keeps the plain lifetime.
        var keyUntil = key.ExpiresAt is { } expires && expires < agentUntil ? expires : agentUntil;
        lock (_gate)
        {
            if (!CanStore(generation))
            {
                return false;
            }

            _entries[keyHash] = new Entry<VerifiedKey>(key, keyUntil, generation);
            _agents[key.Agent.Id] = new Entry<Agent>(key.Agent, agentUntil, generation);
            return true;
        }
    }

    /// <summary>Stores an agent read from the database, on the same terms as a key (see <see cref="TryAdd"/>).</summary>
    public bool TryAddAgent(Agent agent, long generation)
    {
        ArgumentNullException.ThrowIfNull(agent);
        var until = time.GetUtcNow() + Lifetime;
        lock (_gate)
        {
            if (!CanStore(generation))
            {
                return false;
            }

            _agents[agent.Id] = new Entry<Agent>(agent, until, generation);
            return true;
        }
    }

    /// <summary>Called under the gate, so that an invalidation cannot slip between this check and the store; makes room when full.</summary>
    private bool CanStore(long generation)
    {
        if (!_live || generation != _generation)
        {
            return false;
        }

        if (_entries.Count >= MaxEntries || _agents.Count >= MaxEntries)
        {
            _entries.Clear();
            _agents.Clear();
        }

        return true;
    }

    private TValue? Fresh<TValue>(ConcurrentDictionary<string, Entry<TValue>> entries, string key) where TValue : class
    {
        if (!entries.TryGetValue(key, out var entry))
        {
            return null;
        }

        if (time.GetUtcNow() >= entry.Until || entry.Generation != Generation)
        {
            entries.TryRemove(new KeyValuePair<string, Entry<TValue>>(key, entry));
            return null;
        }

        return entry.Value;
    }

    /// <summary>Empties the cache: a key or an agent changed somewhere, or its change notifications may have been missed.</summary>
    public void InvalidateAll()
    {
        lock (_gate)
        {
            _generation++;
            _entries.Clear();
            _agents.Clear();
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
            _agents.Clear();
        }
    }

    private sealed record Entry<TValue>(TValue Value, DateTimeOffset Until, long Generation);
}
