namespace Rose.Core.Agents;

/// <summary>
/// Verifies a presented API key: from <see cref="ApiKeyCache"/> when it was verified in the last few
/// seconds and nothing has changed since, otherwise against the control database (<see cref="AgentStore.VerifyAsync"/>).
/// Either way the use is recorded for the next last_used_at batch. Unknown keys are never cached: each costs a lookup.
/// </summary>
public sealed class ApiKeyAuthenticator(AgentStore store, ApiKeyCache cache, ApiKeyUsage usage)
{
    public async Task<Agent?> AuthenticateAsync(string key, CancellationToken ct)
    {
        if (!ApiKeys.IsPlausible(key))
        {
            return null;
        }

        var hash = ApiKeys.Hash(key);
        var verified = cache.TryGet(hash);
        if (verified is null)
        {
            // Read before the query: a change committed while the query runs makes TryAdd refuse the answer.
            var generation = cache.Generation;
            verified = await store.VerifyAsync(hash, ct);
            if (verified is null)
            {
                return null;
            }

            cache.TryAdd(hash, verified, generation);
        }

        usage.Record(verified.KeyId);
        return verified.Agent;
    }
}
