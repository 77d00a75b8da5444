namespace Rose.Core.Agents;

/// <summary>
/// Every change an admin makes to agents, each written to the audit log before it happens (see
/// <see cref="AdminAuditLog"/>). The audit text names the agent and, for keys, the key's row id:
/// a key itself, or its hash, never reaches the audit row.
/// </summary>
public sealed class AgentAdmin(AgentStore store, AdminAuditLog audit)
{
    public const string CreateOperation = "ADMIN AGENT CREATE";
    public const string PolicyOperation = "ADMIN AGENT POLICY UPDATE";
    public const string McpToolsOperation = "ADMIN AGENT MCP TOOLS UPDATE";
    public const string DisableOperation = "ADMIN AGENT DISABLE";
    public const string EnableOperation = "ADMIN AGENT ENABLE";
    public const string KeyCreateOperation = "ADMIN AGENT KEY CREATE";
    public const string KeyRevokeOperation = "ADMIN AGENT KEY REVOKE";

    /// <summary>Creates a console agent. False (audited as refused) when the id is taken.</summary>
    public Task<bool> CreateAsync(Actor actor, string id, string displayName, SqlPolicy policy, CancellationToken ct) =>
        ChangeAsync(actor, CreateOperation, $"-- admin: create agent {Q(id)} named {Q(displayName)}\n-- policy: {PolicyText(policy)}",
            c => store.CreateAsync(id, displayName, policy, c), $"an agent with the id {Q(id)} already exists", ct);

    /// <summary>Replaces a console agent's policy. False (audited as refused) for configuration agents and unknown ids.</summary>
    public Task<bool> UpdatePolicyAsync(Actor actor, string id, SqlPolicy policy, CancellationToken ct) =>
        ChangeAsync(actor, PolicyOperation, $"-- admin: set the policy of agent {Q(id)}\n-- policy: {PolicyText(policy)}",
            c => store.UpdatePolicyAsync(id, policy, c), NotConsoleAgent(id), ct);

    /// <summary>
    /// Sets the MCP tools a console agent may call (null = every tool, empty = none). Only names of
    /// <paramref name="catalog"/> (the tool catalog, which lives outside Core) are accepted. False
    /// (audited as refused) for configuration agents, whose list is Rose:Agents:&lt;id&gt;:McpTools, and unknown ids.
    /// </summary>
    public Task<bool> UpdateMcpToolsAsync(Actor actor, string id, IReadOnlyList<string>? tools, IReadOnlyCollection<string> catalog, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        if (tools?.FirstOrDefault(t => !catalog.Contains(t)) is { } unknown)
        {
            throw new ArgumentException($"There is no MCP tool named {Q(unknown)}.", nameof(tools));
        }

        var list = tools?.Distinct(StringComparer.Ordinal).ToList();
        var text = list is null ? "every tool" : list.Count == 0 ? "no tool" : string.Join(", ", list);
        return ChangeAsync(actor, McpToolsOperation, $"-- admin: set the MCP tools of agent {Q(id)}\n-- tools: {text}",
            c => store.UpdateMcpToolsAsync(id, list, c), NotConsoleAgent(id), ct);
    }

    /// <summary>Disables an agent (every key stops at once) or enables it again.</summary>
    public Task<bool> SetDisabledAsync(Actor actor, string id, bool disabled, CancellationToken ct) =>
        ChangeAsync(actor, disabled ? DisableOperation : EnableOperation, $"-- admin: {(disabled ? "disable" : "enable")} agent {Q(id)}",
            c => store.SetDisabledAsync(id, disabled, c), $"agent {Q(id)} is unknown or already {(disabled ? "disabled" : "enabled")}", ct);

    /// <summary>A new key for an agent, returned to be shown once. Its row id goes in the audit entry, the key does not.</summary>
    public Task<(string Key, long KeyId)> CreateKeyAsync(Actor actor, string agentId, DateTimeOffset? expiresAt, CancellationToken ct)
    {
        var expiry = expiresAt is { } at ? at.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture) : "never";
        return audit.RunAsync(actor,
            new AdminAction(KeyCreateOperation, $"-- admin: create an API key for agent {Q(agentId)} (expires {expiry})"),
            c => store.CreateKeyAsync(agentId, expiresAt, c),
            created => new AdminResult(true, DetailJson: JsonSerializer.Serialize(new { agent_id = agentId, key_id = created.KeyId })),
            ct);
    }

    /// <summary>Revokes one key of one agent. False (audited as refused) when the key is not an active key of that agent.</summary>
    public Task<bool> RevokeKeyAsync(Actor actor, string agentId, long keyId, CancellationToken ct) =>
        ChangeAsync(actor, KeyRevokeOperation, $"-- admin: revoke API key #{keyId.ToString(CultureInfo.InvariantCulture)} of agent {Q(agentId)}",
            c => store.RevokeKeyAsync(agentId, keyId, c), $"key #{keyId.ToString(CultureInfo.InvariantCulture)} is not an active key of agent {Q(agentId)}", ct);

    /// <summary>
    /// Most admin changes are a store call that answers yes (done) or no (nothing matched): audited the
    /// same way, with <paramref name="refusal"/> as the audit's reason when the store says no.
    /// </summary>
    private Task<bool> ChangeAsync(Actor actor, string operation, string auditText, Func<CancellationToken, Task<bool>> change, string refusal, CancellationToken ct) =>
        audit.RunAsync(actor, new AdminAction(operation, auditText), change, changed => changed ? AdminResult.Done : AdminResult.Refused(refusal), ct);

    private static string NotConsoleAgent(string id) => $"agent {Q(id)} is not a console agent (or does not exist)";

    private static string Q(string value) => AdminAuditLog.Quote(value);

    /// <summary>The policy as the audit shows it: the seed's JSON on one line (a policy holds no secrets).</summary>
    private static string PolicyText(SqlPolicy policy) => JsonSerializer.Serialize(policy);
}
