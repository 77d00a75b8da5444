using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Rose.Core.Audit;
using Rose.Core.Identity;
using Rose.Core.Policy;
using Rose.Core.Storage;

namespace Rose.Core.Agents;

/// <summary>An agent identity with its policy.</summary>
public sealed record Agent(string Id, string DisplayName, SqlPolicy Policy, string Source, DateTimeOffset? DisabledAt)
{
    public Executor ToExecutor() => new(Id, DisplayName, ExecutorKind.Agent, "api-key");
}

/// <summary>An agent key's public facts (never the key).</summary>
public sealed record ApiKeyInfo(long Id, string AgentId, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt,
    DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt);

/// <summary>Tables rose.agents and rose.api_keys.</summary>
public sealed class AgentStore(ControlDatabase control)
{
    public async Task UpsertAsync(string id, string displayName, SqlPolicy policy, string source, CancellationToken ct)
    {
        await using var cmd = control.DataSource.CreateCommand("""
            INSERT INTO rose.agents (id, display_name, policy, source) VALUES ($1, $2, $3::jsonb, $4)
            ON CONFLICT (id) DO UPDATE SET display_name = EXCLUDED.display_name, policy = EXCLUDED.policy, source = EXCLUDED.source
            """);
        cmd.Parameters.Add(AuditLog.Text(id));
        cmd.Parameters.Add(AuditLog.Text(displayName));
        cmd.Parameters.Add(AuditLog.Text(JsonSerializer.Serialize(policy)));
        cmd.Parameters.Add(AuditLog.Text(source));
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Creates an agent made in the console. False when the id is taken (by a console or configuration agent).</summary>
    public async Task<bool> CreateAsync(string id, string displayName, SqlPolicy policy, CancellationToken ct)
    {
        await using var cmd = control.DataSource.CreateCommand("""
            INSERT INTO rose.agents (id, display_name, policy, source) VALUES ($1, $2, $3::jsonb, 'console')
            ON CONFLICT (id) DO NOTHING
            """);
        cmd.Parameters.Add(AuditLog.Text(id));
        cmd.Parameters.Add(AuditLog.Text(displayName));
        cmd.Parameters.Add(AuditLog.Text(JsonSerializer.Serialize(policy)));
        return await cmd.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>Replaces a console agent's policy. Configuration agents are owned by their configuration file: false.</summary>
    public async Task<bool> UpdatePolicyAsync(string id, SqlPolicy policy, CancellationToken ct)
    {
        await using var cmd = control.DataSource.CreateCommand(
            "UPDATE rose.agents SET policy = $2::jsonb WHERE id = $1 AND source = 'console'");
        cmd.Parameters.Add(AuditLog.Text(id));
        cmd.Parameters.Add(AuditLog.Text(JsonSerializer.Serialize(policy)));
        return await cmd.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>Disables (every key stops working at once) or re-enables an agent.</summary>
    public async Task<bool> SetDisabledAsync(string id, bool disabled, CancellationToken ct)
    {
        await using var cmd = control.DataSource.CreateCommand(disabled
            ? "UPDATE rose.agents SET disabled_at = now() WHERE id = $1 AND disabled_at IS NULL"
            : "UPDATE rose.agents SET disabled_at = NULL WHERE id = $1 AND disabled_at IS NOT NULL");
        cmd.Parameters.Add(AuditLog.Text(id));
        return await cmd.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>A new random key for an agent. The caller shows the returned key once; only its hash is kept.</summary>
    public async Task<(string Key, long KeyId)> CreateKeyAsync(string agentId, DateTimeOffset? expiresAt, CancellationToken ct)
    {
        var key = ApiKeys.Generate();
        var keyId = await AddKeyAsync(agentId, key, expiresAt, ct);
        return (key, keyId);
    }

    /// <summary>Stores a key's hash (idempotent for the same key). Returns the key row id.</summary>
    public async Task<long> AddKeyAsync(string agentId, string key, DateTimeOffset? expiresAt, CancellationToken ct)
    {
        await using var cmd = control.DataSource.CreateCommand("""
            INSERT INTO rose.api_keys (agent_id, key_hash, key_prefix, expires_at) VALUES ($1, $2, $3, $4)
            ON CONFLICT (key_hash) DO UPDATE SET agent_id = EXCLUDED.agent_id
            RETURNING id
            """);
        cmd.Parameters.Add(AuditLog.Text(agentId));
        cmd.Parameters.Add(AuditLog.Text(ApiKeys.Hash(key)));
        cmd.Parameters.Add(AuditLog.Text(ApiKeys.DisplayPrefix(key)));
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)expiresAt ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>Whether this key (by its hash) is already registered for this agent, revoked or not.</summary>
    public async Task<bool> HasKeyAsync(string agentId, string key, CancellationToken ct)
    {
        await using var cmd = control.DataSource.CreateCommand("SELECT EXISTS (SELECT 1 FROM rose.api_keys WHERE key_hash = $1 AND agent_id = $2)");
        cmd.Parameters.Add(AuditLog.Text(ApiKeys.Hash(key)));
        cmd.Parameters.Add(AuditLog.Text(agentId));
        return (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>The agent a key belongs to, if the key is known, not revoked, not expired and the agent enabled.</summary>
    public async Task<Agent?> AuthenticateAsync(string key, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(key) || key.Length > 512)
        {
            return null;
        }

        await using var cmd = control.DataSource.CreateCommand("""
            UPDATE rose.api_keys k SET last_used_at = now()
            FROM rose.agents a
            WHERE k.key_hash = $1 AND a.id = k.agent_id AND k.revoked_at IS NULL
              AND (k.expires_at IS NULL OR k.expires_at > now()) AND a.disabled_at IS NULL
            RETURNING a.id, a.display_name, a.policy::text, a.source, a.disabled_at
            """);
        cmd.Parameters.Add(AuditLog.Text(ApiKeys.Hash(key)));
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }

    public async Task<Agent?> GetAsync(string id, CancellationToken ct)
    {
        await using var cmd = control.DataSource.CreateCommand("SELECT id, display_name, policy::text, source, disabled_at FROM rose.agents WHERE id = $1");
        cmd.Parameters.Add(AuditLog.Text(id));
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }

    public async Task<IReadOnlyList<Agent>> ListAsync(CancellationToken ct)
    {
        await using var cmd = control.DataSource.CreateCommand("SELECT id, display_name, policy::text, source, disabled_at FROM rose.agents ORDER BY id");
        var list = new List<Agent>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            list.Add(Read(reader));
        }

        return list;
    }

    public async Task<IReadOnlyList<ApiKeyInfo>> ListKeysAsync(string agentId, CancellationToken ct)
    {
        await using var cmd = control.DataSource.CreateCommand("""
            SELECT id, agent_id, key_prefix, created_at, expires_at, revoked_at, last_used_at
            FROM rose.api_keys WHERE agent_id = $1 ORDER BY id
            """);
        cmd.Parameters.Add(AuditLog.Text(agentId));
        var list = new List<ApiKeyInfo>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            list.Add(new ApiKeyInfo(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetFieldValue<DateTimeOffset>(3),
                r.IsDBNull(4) ? null : r.GetFieldValue<DateTimeOffset>(4), r.IsDBNull(5) ? null : r.GetFieldValue<DateTimeOffset>(5),
                r.IsDBNull(6) ? null : r.GetFieldValue<DateTimeOffset>(6)));
        }

        return list;
    }

    /// <summary>Revokes one key of one agent (the agent id guards against a stale page revoking another agent's key).</summary>
    public async Task<bool> RevokeKeyAsync(string agentId, long keyId, CancellationToken ct)
    {
        await using var cmd = control.DataSource.CreateCommand(
            "UPDATE rose.api_keys SET revoked_at = now() WHERE id = $1 AND agent_id = $2 AND revoked_at IS NULL");
        cmd.Parameters.Add(new NpgsqlParameter<long> { TypedValue = keyId });
        cmd.Parameters.Add(AuditLog.Text(agentId));
        return await cmd.ExecuteNonQueryAsync(ct) == 1;
    }

    private static Agent Read(NpgsqlDataReader r) => new(
        r.GetString(0),
        r.GetString(1),
        JsonSerializer.Deserialize<SqlPolicy>(r.GetString(2)) ?? SqlPolicy.DenyAll,
        r.GetString(3),
        r.IsDBNull(4) ? null : r.GetFieldValue<DateTimeOffset>(4));
}
