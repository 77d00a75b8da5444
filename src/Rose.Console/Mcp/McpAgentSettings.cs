namespace Rose.Console.Mcp;

/// <summary>
/// How one agent sees /mcp, from configuration next to the agent's key and policy:
/// Rose:Agents:&lt;id&gt;:McpToolPrefix (e.g. "janus_", so a seed's janus_sql_execute keeps working) and
/// Rose:Agents:&lt;id&gt;:McpTools (the unprefixed tool names the agent may use; absent = all tools).
/// Agents made on the Agents page have neither: no prefix, all tools, each still under its policy.
/// </summary>
internal sealed record McpAgentSettings(string Prefix, IReadOnlyCollection<string>? AllowedTools)
{
    public static McpAgentSettings Read(IConfiguration configuration, string agentId)
    {
        var section = configuration.GetSection($"Rose:Agents:{agentId}");
        var prefix = section["McpToolPrefix"] ?? string.Empty;
        var tools = section.GetSection("McpTools");
        var allowed = tools.Exists()
            ? tools.GetChildren().Select(c => c.Value?.Trim()).Where(v => !string.IsNullOrEmpty(v)).Select(v => v!).ToList()
            : null;
        return new McpAgentSettings(prefix, allowed);
    }
}
