namespace Rose.Core.Agents;

/// <summary>
/// Brings the agents of Rose:Agents into the control database at start-up. A change the
/// configuration makes (a new agent, a new name or policy, a new key, a key it no longer holds) is an
/// administrative change like one made on the /agents page, so it is audited the same way (channel
/// admin, attempt before the change), with "configuration" as the actor. A restart with the same
/// configuration changes nothing and writes nothing. Outside Development the published development
/// keys are refused and revoked, and every key older than its lifetime is named in a warning.
/// </summary>
internal static class ConfiguredAgents
{
    public const string Operation = "ADMIN AGENT CONFIGURE";

    private static readonly Actor Configuration = Actor.System("configuration");

    public static async Task SyncAsync(RoseOptions options, AgentStore agents, AuditLog audit, bool development, ILogger log, CancellationToken ct)
    {
        if (!development)
        {
            await RevokeDevelopmentKeysAsync(agents, audit, log, ct);
        }

        foreach (var (id, agent) in options.Agents)
        {
            var key = string.IsNullOrEmpty(agent.ApiKey) ? null : agent.ApiKey;
            if (!development && DevelopmentKeys.IsKnown(key))
            {
                log.LogWarning("Rose:Agents:{Agent}:ApiKey is a published development key ({Family}...): refused outside Development, the agent gets no key from configuration",
                    id, DevelopmentKeys.Family);
                key = null;
            }

            await SyncAgentAsync(id, agent, key, agents, audit, ct);
            await RevokeStaleKeysAsync(id, key, agents, audit, log, ct);
        }

        // Agents dropped from the configuration keep their history but lose the keys it gave them.
        foreach (var gone in (await agents.ListAsync(ct)).Where(a => a.Source == "config" && !options.Agents.ContainsKey(a.Id)))
        {
            await RevokeStaleKeysAsync(gone.Id, null, agents, audit, log, ct);
        }

        await WarnAboutOldKeysAsync(options, agents, log, ct);
    }

    private static async Task SyncAgentAsync(string id, AgentOptions agent, string? key, AgentStore agents, AuditLog audit, CancellationToken ct)
    {
        var name = agent.Name ?? id;
        var policy = agent.Policy?.ToPolicy() ?? SqlPolicy.DenyAll;
        var current = await agents.GetAsync(id, ct);
        var agentChanges = current is null
            || current.DisplayName != name
            || current.Source != "config"
            || JsonSerializer.Serialize(current.Policy) != JsonSerializer.Serialize(policy);
        var newKey = key is not null && !await agents.HasKeyAsync(id, key, ct);
        if (!agentChanges && !newKey)
        {
            return;
        }

        var lines = new List<string>();
        if (agentChanges)
        {
            lines.Add($"-- configuration: {(current is null ? "create" : "update")} agent {AdminAuditLog.Quote(id)} named {AdminAuditLog.Quote(name)}");
            lines.Add($"-- policy: {JsonSerializer.Serialize(policy)}");
        }

        if (newKey)
        {
            // Which key is never said: only that Rose:Agents:<id>:ApiKey brought one.
            lines.Add($"-- configuration: register the API key of Rose:Agents:{id}:ApiKey for agent {AdminAuditLog.Quote(id)}");
        }

        await RecordedAsync(audit, $"Rose:Agents:{id} at start-up", lines, async () =>
        {
            await agents.UpsertAsync(id, name, policy, "config", ct);
            if (newKey)
            {
                await agents.AddKeyAsync(id, key!, null, ct, source: "config");
            }
        }, ct);
    }

    /// <summary>Configuration keys the configuration no longer holds stop working.</summary>
    private static async Task RevokeStaleKeysAsync(string id, string? keep, AgentStore agents, AuditLog audit, ILogger log, CancellationToken ct)
    {
        var stale = await agents.StaleConfigKeysAsync(id, keep, ct);
        if (stale.Count == 0)
        {
            return;
        }

        await RecordedAsync(audit, $"Rose:Agents:{id} at start-up",
            [$"-- configuration: revoke {stale.Count} key(s) of agent {AdminAuditLog.Quote(id)} that Rose:Agents:{id}:ApiKey no longer holds ({string.Join(", ", stale)})"],
            () => agents.RevokeConfigKeysExceptAsync(id, keep, ct), ct);
        log.LogWarning("Revoked {Count} key(s) of agent {Agent} ({Prefixes}): the configuration no longer holds them", stale.Count, id, string.Join(", ", stale));
    }

    private static async Task RevokeDevelopmentKeysAsync(AgentStore agents, AuditLog audit, ILogger log, CancellationToken ct)
    {
        var live = (await agents.ListLiveKeysAsync(ct)).Where(k => k.Prefix == DevelopmentKeys.StoredPrefix).ToList();
        if (live.Count == 0)
        {
            return;
        }

        var holders = string.Join(", ", live.Select(k => k.AgentId).Distinct());
        await RecordedAsync(audit, "published development keys outside Development",
            [$"-- configuration: revoke the published development key(s) ({DevelopmentKeys.Family}...) of agent(s) {holders}: this is not Development"],
            () => agents.RevokeDevelopmentKeysAsync(ct), ct);
        log.LogWarning("Revoked the published development key(s) of agent(s) {Agents}: they only work in Development", holders);
    }

    private static async Task WarnAboutOldKeysAsync(RoseOptions options, AgentStore agents, ILogger log, CancellationToken ct)
    {
        foreach (var key in await agents.ListLiveKeysAsync(ct))
        {
            var days = options.Agents.TryGetValue(key.AgentId, out var configured) && configured.KeyLifetimeDays is { } own ? own : options.AgentKeyLifetimeDays;
            var age = DateTimeOffset.UtcNow - key.CreatedAt;
            if (age > TimeSpan.FromDays(days))
            {
                log.LogWarning("The API key {Prefix} of agent {Agent} is {Age} days old, past its lifetime of {Lifetime} days: rotate it",
                    key.Prefix, key.AgentId, (int)age.TotalDays, days);
            }
        }
    }

    /// <summary>The attempt is written before the change, the outcome after; a failed change is recorded as failed.</summary>
    private static async Task RecordedAsync(AuditLog audit, string reason, IReadOnlyList<string> lines, Func<Task> change, CancellationToken ct) =>
        await new AuditedRuns(audit).RunAsync(new AuditAttempt(Configuration, Channel.Admin, AdminAuditLog.Database,
                reason, string.Join("\n", lines), [Operation], Decision.Allow, ["from the configuration file"]),
            async _ =>
            {
                await change();
                return true;
            },
            _ => new AuditOutcome(AuditStatus.Succeeded, 1), ct,
            failed: ex => new AuditOutcome(AuditStatus.Failed, ErrorMessage: ex.GetType().Name + ": " + ex.Message));
}
