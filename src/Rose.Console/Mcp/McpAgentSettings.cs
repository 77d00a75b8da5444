using Rose.Core.Agents;

namespace Rose.Console.Mcp;

/// <summary>
/// How one agent sees MCP: its tool-name prefix and the unprefixed tools it may call (null = all).
/// </summary>
internal sealed record McpAgentSettings(string Prefix, IReadOnlyCollection<string>? AllowedTools)
{
    /// <summary>A person's OAuth session: every tool without a prefix, each route still authorized by their role.</summary>
    public static readonly McpAgentSettings Person = new(string.Empty, null);
}

/// <summary>
/// Reads <see cref="McpAgentSettings"/>, the one place the allow-list is decided. The prefix is
/// Rose:Agents:&lt;id&gt;:McpToolPrefix (e.g. "janus_", so a seed's janus_sql_execute keeps working). The
/// tools are Rose:Agents:&lt;id&gt;:McpTools for a configuration agent that sets it, else the list an admin
/// set on the Agents page (rose.agents.mcp_tools; null = every tool). Read at each
/// session and each call through <see cref="AgentStore.GetForCallAsync"/> (cached for seconds, emptied by
/// every change to the agent as it commits, on every instance), so a change applies at once.
/// </summary>
internal sealed class McpAgentSettingsReader(IConfiguration configuration, AgentStore agents)
{
    public Task<McpAgentSettings> ForAgentAsync(ClaimsPrincipal user, CancellationToken ct) =>
        ReadAsync(user.FindFirstValue(ClaimTypes.NameIdentifier) ?? throw new UnauthorizedAccessException("The identity has no subject."), ct);

    public async Task<McpAgentSettings> ReadAsync(string agentId, CancellationToken ct)
    {
        var section = configuration.GetSection($"Rose:Agents:{agentId}");
        var prefix = section["McpToolPrefix"] ?? string.Empty;
        var configured = section.GetSection("McpTools");
        if (configured.Exists())
        {
            return new McpAgentSettings(prefix,
                configured.GetChildren().Select(c => c.Value?.Trim()).Where(v => !string.IsNullOrEmpty(v)).Select(v => v!).ToList());
        }

        // An agent gone since its key was checked gets no tool: fail closed.
        var agent = await agents.GetForCallAsync(agentId, ct);
        return new McpAgentSettings(prefix, agent is null ? [] : agent.McpTools);
    }

    /// <summary>Whether the list comes from configuration, so the Agents page shows it read-only.</summary>
    public bool IsConfigured(string agentId) => configuration.GetSection($"Rose:Agents:{agentId}:McpTools").Exists();
}
