namespace Rose.Core.Configuration;

public sealed class AgentOptions
{
    public string? Name { get; set; }

    /// <summary>Bootstrap key; hashed at start, never stored or logged in clear.</summary>
    public string? ApiKey { get; set; }

    public SqlPolicyOptions? Policy { get; set; }

    /// <summary>Overrides Rose:AgentKeyLifetimeDays for this agent.</summary>
    public int? KeyLifetimeDays { get; set; }
}
