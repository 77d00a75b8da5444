using System.Text.Json;
using Rose.Core.Audit;
using Rose.Core.Configuration;
using Rose.Core.Identity;
using Rose.Core.Policy;

namespace Rose.Core.Agents;

/// <summary>
/// Brings the agents of Rose:Agents into the control database at start-up. A change the
/// configuration makes (a new agent, a new name or policy, a new key) is an administrative change
/// like one made on the /agents page, so it is audited the same way (channel admin, attempt before
/// the change), with "configuration" as the actor. A restart with the same configuration changes
/// nothing and writes nothing.
/// </summary>
internal static class ConfiguredAgents
{
    public const string Operation = "ADMIN AGENT CONFIGURE";

    private static readonly Executor Configuration = Executor.System("configuration");

    public static async Task SyncAsync(RoseOptions options, AgentStore agents, AuditLog audit, CancellationToken ct)
    {
        foreach (var (id, agent) in options.Agents)
        {
            var name = agent.Name ?? id;
            var policy = agent.Policy?.ToPolicy() ?? SqlPolicy.DenyAll;
            var current = await agents.GetAsync(id, ct);
            var agentChanges = current is null
                || current.DisplayName != name
                || current.Source != "config"
                || JsonSerializer.Serialize(current.Policy) != JsonSerializer.Serialize(policy);
            var newKey = !string.IsNullOrEmpty(agent.ApiKey) && !await agents.HasKeyAsync(id, agent.ApiKey, ct);
            if (!agentChanges && !newKey)
            {
                continue;
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

            var auditId = await audit.RecordAttemptAsync(new AuditAttempt(Configuration, Channel.Admin, AdminAuditLog.Database,
                $"Rose:Agents:{id} at start-up", string.Join("\n", lines), [Operation], Decision.Allow, ["from the configuration file"]), ct);
            try
            {
                await agents.UpsertAsync(id, name, policy, "config", ct);
                if (newKey)
                {
                    await agents.AddKeyAsync(id, agent.ApiKey!, null, ct);
                }
            }
            catch (Exception ex)
            {
                await audit.RecordOutcomeAsync(auditId, new AuditOutcome(AuditStatus.Failed, ErrorMessage: ex.GetType().Name + ": " + ex.Message), CancellationToken.None);
                throw;
            }

            await audit.RecordOutcomeAsync(auditId, new AuditOutcome(AuditStatus.Succeeded, 1), CancellationToken.None);
        }
    }
}
