using System.Collections.Concurrent;

namespace Rose.Core.Audit;

/// <summary>
/// Row hashes of the attempts this process wrote and has not yet closed, by audit id. Writing an outcome takes
/// the hash from here instead of reading it back (one round trip less per run), and crash recovery leaves an
/// attempt listed here alone (this process is still running it).
/// </summary>
/// <remarks>
/// Every run closes its attempt or hands it to recovery, so the map stays small; should something leak
/// entries anyway, it is bounded by dropping the OLDEST ids only (ids grow with time, so those are the leaks
/// and, at worst, runs older than any statement timeout). Dropping everything, as before, could have let
/// recovery close a run that was still going.
/// </remarks>
internal sealed class OpenAttempts(int capacity = OpenAttempts.DefaultCapacity)
{
    internal const int DefaultCapacity = 10_000;

    private readonly ConcurrentDictionary<long, string> byId = new();
    private readonly Lock trimming = new();

    public int Count => byId.Count;

    public bool Contains(long auditId) => byId.ContainsKey(auditId);

    public bool TryGet(long auditId, out string rowHash) => byId.TryGetValue(auditId, out rowHash!);

    public bool TryRemove(long auditId, out string? rowHash) => byId.TryRemove(auditId, out rowHash);

    /// <summary>Adds the attempt; returns how many of the oldest entries were dropped to stay within capacity (usually 0).</summary>
    public int Add(long auditId, string rowHash)
    {
        byId[auditId] = rowHash;
        if (byId.Count <= capacity)
        {
            return 0;
        }

        lock (trimming)
        {
            var excess = byId.Count - capacity / 2;
            if (excess <= 0)
            {
                return 0;
            }

            var dropped = 0;
            foreach (var id in byId.Keys.Order().Take(excess))
            {
                if (id != auditId && byId.TryRemove(id, out _))
                {
                    dropped++;
                }
            }

            return dropped;
        }
    }
}
