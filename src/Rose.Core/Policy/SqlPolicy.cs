using System.Text.Json.Serialization;

namespace Rose.Core.Policy;

/// <summary>
/// The seed's policy block, per agent or per human role. Field names match the JSON the seed
/// already uses so existing agent configurations load unchanged.
/// </summary>
public sealed record SqlPolicy
{
    [JsonPropertyName("allowed_databases")]
    public IReadOnlyList<string> AllowedDatabases { get; init; } = [];

    [JsonPropertyName("allowed_operations")]
    public IReadOnlyList<string> AllowedOperations { get; init; } = [];

    [JsonPropertyName("requires_approval")]
    public IReadOnlyList<string> RequiresApproval { get; init; } = [];

    /// <summary>dev, staging or prod. Combined with the target's environment; the stricter wins.</summary>
    [JsonPropertyName("environment")]
    public string Environment { get; init; } = "prod";

    /// <summary>Upper bound on rows an execution may return, whatever the caller asks.</summary>
    [JsonPropertyName("max_rows")]
    public int? MaxRows { get; init; }

    /// <summary>Whether the database is in allowed_databases (case-insensitive, like target names).</summary>
    public bool AllowsDatabase(string database) =>
        AllowedDatabases.Any(d => string.Equals(d, database, StringComparison.OrdinalIgnoreCase));

    /// <summary>A policy that allows nothing: the default for an identity without one.</summary>
    public static SqlPolicy DenyAll { get; } = new();
}
