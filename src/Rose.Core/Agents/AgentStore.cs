using Rose.Core.Control.Queries;

namespace Rose.Core.Agents;

/// <summary>An agent identity with its policy, and the MCP tools it may call (null = every tool).</summary>
public sealed record Agent(string Id, string DisplayName, SqlPolicy Policy, string Source, DateTimeOffset? DisabledAt,
    IReadOnlyList<string>? McpTools = null)
{
    public Actor ToActor() => new(Id, DisplayName, ActorKind.Agent, "api-key");
}

/// <summary>An agent key's public facts (never the key).</summary>
public sealed record ApiKeyInfo(long Id, string AgentId, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt,
    DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt);

/// <summary>
/// Tables rose.agents and rose.api_keys. Every change that can stop a key from working empties this
/// instance's <see cref="ApiKeyCache"/> as soon as it commits (other instances learn of it by notification,
/// see Control/Schema/V230__api_key_change_notify.sql). The cache is null for one-shot stores outside the host, which cache nothing.
/// </summary>
public sealed class AgentStore(ControlDatabase control, ApiKeyCache? keyCache = null)
{
    private const string AgentColumns = """a.id AS "Id", a.display_name AS "DisplayName", a.policy::text AS "PolicyJson", a.source AS "Source", a.disabled_at AS "DisabledAt", a.mcp_tools AS "McpTools" """;

    public async Task UpsertAsync(string id, string displayName, SqlPolicy policy, string source, CancellationToken ct) =>
        await Invalidating(control.ExecuteAsync("""
                INSERT INTO rose.agents (id, display_name, policy, source) VALUES ($1, $2, $3::jsonb, $4)
                ON CONFLICT (id) DO UPDATE SET display_name = EXCLUDED.display_name, policy = EXCLUDED.policy, source = EXCLUDED.source
                """, new(PgParam.Text(id), PgParam.Text(displayName), PgParam.Text(JsonSerializer.Serialize(policy)), PgParam.Text(source)), ct));

    /// <summary>Creates an agent made in the console. False when the id is taken (by a console or configuration agent).</summary>
    public async Task<bool> CreateAsync(string id, string displayName, SqlPolicy policy, CancellationToken ct) =>
        await control.ExecuteAsync("""
            INSERT INTO rose.agents (id, display_name, policy, source) VALUES ($1, $2, $3::jsonb, 'console')
            ON CONFLICT (id) DO NOTHING
            """, new(PgParam.Text(id), PgParam.Text(displayName), PgParam.Text(JsonSerializer.Serialize(policy))), ct) == 1;

    /// <summary>Replaces a console agent's policy. Configuration agents are owned by their configuration file: false.</summary>
    public async Task<bool> UpdatePolicyAsync(string id, SqlPolicy policy, CancellationToken ct) =>
        await Invalidating(control.ExecuteAsync("UPDATE rose.agents SET policy = $2::jsonb WHERE id = $1 AND source = 'console'",
                new(PgParam.Text(id), PgParam.Text(JsonSerializer.Serialize(policy))), ct)) == 1;

    /// <summary>Sets a console agent's MCP tools (null = every tool). Configuration agents keep their configured list: false.</summary>
    public async Task<bool> UpdateMcpToolsAsync(string id, IReadOnlyList<string>? tools, CancellationToken ct) =>
        await Invalidating(control.ExecuteAsync("UPDATE rose.agents SET mcp_tools = $2 WHERE id = $1 AND source = 'console'",
                new(PgParam.Text(id), tools is null ? PgParam.Array<string>(null!, NpgsqlTypes.NpgsqlDbType.Text) : PgParam.TextArray(tools)), ct)) == 1;

    /// <summary>Disables (every key stops working at once) or re-enables an agent.</summary>
    public async Task<bool> SetDisabledAsync(string id, bool disabled, CancellationToken ct) =>
        await Invalidating(control.ExecuteAsync(disabled
                ? "UPDATE rose.agents SET disabled_at = now() WHERE id = $1 AND disabled_at IS NULL"
                : "UPDATE rose.agents SET disabled_at = NULL WHERE id = $1 AND disabled_at IS NOT NULL", new(PgParam.Text(id)), ct)) == 1;

    /// <summary>A new random key for an agent. The caller shows the returned key once; only its hash is kept.</summary>
    public async Task<(string Key, long KeyId)> CreateKeyAsync(string agentId, DateTimeOffset? expiresAt, CancellationToken ct)
    {
        var key = ApiKeys.Generate();
        var keyId = await AddKeyAsync(agentId, key, expiresAt, ct);
        return (key, keyId);
    }

    /// <summary>Stores a key's hash (idempotent for the same key). Returns the key row id. source: 'console' or 'config'.</summary>
    public Task<long> AddKeyAsync(string agentId, string key, DateTimeOffset? expiresAt, CancellationToken ct, string source = "console") =>
        Invalidating(control.QuerySingleAsync<long>("""
                INSERT INTO rose.api_keys (agent_id, key_hash, key_prefix, expires_at, source) VALUES ($1, $2, $3, $4, $5)
                ON CONFLICT (key_hash) DO UPDATE SET agent_id = EXCLUDED.agent_id, source = EXCLUDED.source
                RETURNING id
                """, new(PgParam.Text(agentId), PgParam.Text(ApiKeys.Hash(key)), PgParam.Text(ApiKeys.DisplayPrefix(key)), PgParam.TimestampTz(expiresAt),
                PgParam.Text(source)), ct));

    /// <summary>The live configuration keys of an agent other than the one configured now (null: all of them), by prefix.</summary>
    public Task<IReadOnlyList<string>> StaleConfigKeysAsync(string agentId, string? keepKey, CancellationToken ct) =>
        control.QueryAsync<string>("""
            SELECT key_prefix FROM rose.api_keys
            WHERE agent_id = $1 AND source = 'config' AND revoked_at IS NULL AND key_hash IS DISTINCT FROM $2 ORDER BY id
            """, new(PgParam.Text(agentId), PgParam.Text(keepKey is null ? null : ApiKeys.Hash(keepKey))), ct);

    /// <summary>Revokes what <see cref="StaleConfigKeysAsync"/> lists; returns the prefixes revoked.</summary>
    public Task<IReadOnlyList<string>> RevokeConfigKeysExceptAsync(string agentId, string? keepKey, CancellationToken ct) =>
        Invalidating(control.QueryAsync<string>("""
                UPDATE rose.api_keys SET revoked_at = now()
                WHERE agent_id = $1 AND source = 'config' AND revoked_at IS NULL AND key_hash IS DISTINCT FROM $2
                RETURNING key_prefix
                """, new(PgParam.Text(agentId), PgParam.Text(keepKey is null ? null : ApiKeys.Hash(keepKey))), ct));

    /// <summary>Revokes every live key of the published development family; returns the agents that held one.</summary>
    public Task<IReadOnlyList<string>> RevokeDevelopmentKeysAsync(CancellationToken ct) =>
        Invalidating(control.QueryAsync<string>("UPDATE rose.api_keys SET revoked_at = now() WHERE key_prefix = $1 AND revoked_at IS NULL RETURNING agent_id",
                new(PgParam.Text(DevelopmentKeys.StoredPrefix)), ct));

    /// <summary>Every key not revoked (expired ones included), oldest first.</summary>
    public Task<IReadOnlyList<ApiKeyInfo>> ListLiveKeysAsync(CancellationToken ct) =>
        control.QueryAsync<ApiKeyInfo>("""
            SELECT id AS "Id", agent_id AS "AgentId", key_prefix AS "Prefix", created_at AS "CreatedAt", expires_at AS "ExpiresAt",
                   revoked_at AS "RevokedAt", last_used_at AS "LastUsedAt"
            FROM rose.api_keys WHERE revoked_at IS NULL ORDER BY id
            """, null, ct);

    /// <summary>Whether this key (by its hash) is already registered for this agent, revoked or not.</summary>
    public Task<bool> HasKeyAsync(string agentId, string key, CancellationToken ct) =>
        control.QuerySingleAsync<bool>("SELECT EXISTS (SELECT 1 FROM rose.api_keys WHERE key_hash = $1 AND agent_id = $2)",
            new(PgParam.Text(ApiKeys.Hash(key)), PgParam.Text(agentId)), ct);

    /// <summary>The agent a key belongs to, if the key is known, not revoked, not expired and the agent enabled (no cache, no usage record).</summary>
    public async Task<Agent?> AuthenticateAsync(string key, CancellationToken ct) =>
        ApiKeys.IsPlausible(key) ? (await VerifyAsync(ApiKeys.Hash(key), ct))?.Agent : null;

    /// <summary>
    /// The one rule for a working key: known by its hash, not revoked, not expired, its agent not disabled.
    /// A plain read: when the key was last used is written in batches (<see cref="ApiKeyUsage"/>).
    /// </summary>
    public async Task<VerifiedKey?> VerifyAsync(string keyHash, CancellationToken ct) =>
        (await control.QuerySingleOrDefaultAsync<KeyRow>($"""
            SELECT k.id AS "KeyId", k.expires_at AS "ExpiresAt", {AgentColumns}
            FROM rose.api_keys k JOIN rose.agents a ON a.id = k.agent_id
            WHERE k.key_hash = $1 AND k.revoked_at IS NULL
              AND (k.expires_at IS NULL OR k.expires_at > now()) AND a.disabled_at IS NULL
            """, new(PgParam.Text(keyHash)), ct))?.ToVerifiedKey();

    /// <summary>Records when keys were last used: one statement for a batch of (key id, time) pairs; a later time wins.</summary>
    public Task<int> RecordKeyUseAsync(long[] keyIds, DateTimeOffset[] usedAt, CancellationToken ct) =>
        control.ExecuteAsync("""
            UPDATE rose.api_keys k SET last_used_at = GREATEST(k.last_used_at, u.used_at)
            FROM unnest($1::bigint[], $2::timestamptz[]) AS u(id, used_at)
            WHERE k.id = u.id
            """, new(PgParam.Array(keyIds, NpgsqlTypes.NpgsqlDbType.Bigint),
            PgParam.Array(usedAt.Select(t => t.ToUniversalTime()).ToArray(), NpgsqlTypes.NpgsqlDbType.TimestampTz)), ct);

    public async Task<Agent?> GetAsync(string id, CancellationToken ct) =>
        (await control.QuerySingleOrDefaultAsync<AgentRow>($"SELECT {AgentColumns} FROM rose.agents a WHERE a.id = $1", new(PgParam.Text(id)), ct))?.ToAgent();

    /// <summary>
    /// The agent as the calls of its keys see it (policy, MCP tools): from <see cref="ApiKeyCache"/> when it was read in the
    /// last few seconds and nothing changed since (every change empties the cache, on every instance, as it commits),
    /// otherwise from the database. Pages and administration read <see cref="GetAsync"/>, never a cached copy.
    /// </summary>
    public async Task<Agent?> GetForCallAsync(string id, CancellationToken ct)
    {
        if (keyCache?.TryGetAgent(id) is { } cached)
        {
            return cached;
        }

        // Read before the query: a change committed while the query runs makes the cache refuse the answer.
        var generation = keyCache?.Generation ?? 0;
        var agent = await GetAsync(id, ct);
        if (agent is not null)
        {
            keyCache?.TryAddAgent(agent, generation);
        }

        return agent;
    }

    public async Task<IReadOnlyList<Agent>> ListAsync(CancellationToken ct) =>
        [.. (await control.QueryAsync<AgentRow>($"SELECT {AgentColumns} FROM rose.agents a ORDER BY a.id", null, ct)).Select(r => r.ToAgent())];

    public Task<IReadOnlyList<ApiKeyInfo>> ListKeysAsync(string agentId, CancellationToken ct) =>
        control.QueryAsync<ApiKeyInfo>("""
            SELECT id AS "Id", agent_id AS "AgentId", key_prefix AS "Prefix", created_at AS "CreatedAt", expires_at AS "ExpiresAt",
                   revoked_at AS "RevokedAt", last_used_at AS "LastUsedAt"
            FROM rose.api_keys WHERE agent_id = $1 ORDER BY id
            """, new(PgParam.Text(agentId)), ct);

    /// <summary>Revokes one key of one agent (the agent id guards against a stale page revoking another agent's key).</summary>
    public async Task<bool> RevokeKeyAsync(string agentId, long keyId, CancellationToken ct) =>
        await Invalidating(control.ExecuteAsync("UPDATE rose.api_keys SET revoked_at = now() WHERE id = $1 AND agent_id = $2 AND revoked_at IS NULL",
                new(PgParam.Long(keyId), PgParam.Text(agentId)), ct)) == 1;

    /// <summary>Runs a change and then empties the key cache: after the commit, so no verification that read the old rows can be stored later.</summary>
    private async Task<T> Invalidating<T>(Task<T> change)
    {
        try
        {
            return await change;
        }
        finally
        {
            // Also when the change failed: whether it committed is then unknown, and dropping the cache is always safe.
            keyCache?.InvalidateAll();
        }
    }

    /// <summary>An agents row as stored: the policy is JSON until it is parsed here.</summary>
    private sealed record KeyRow(long KeyId, DateTimeOffset? ExpiresAt, string Id, string DisplayName, string PolicyJson, string Source,
        DateTimeOffset? DisabledAt, IReadOnlyList<string>? McpTools)
    {
        public VerifiedKey ToVerifiedKey() => new(KeyId, new AgentRow(Id, DisplayName, PolicyJson, Source, DisabledAt, McpTools).ToAgent(), ExpiresAt);
    }

    private sealed record AgentRow(string Id, string DisplayName, string PolicyJson, string Source, DateTimeOffset? DisabledAt, IReadOnlyList<string>? McpTools)
    {
        public Agent ToAgent() => new(Id, DisplayName, JsonSerializer.Deserialize<SqlPolicy>(PolicyJson) ?? SqlPolicy.DenyAll, Source, DisabledAt, McpTools);
    }
}
