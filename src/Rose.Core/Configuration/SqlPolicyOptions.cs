namespace Rose.Core.Configuration;

/// <summary>The seed's policy block as configuration binds it (snake_case keys, like the seed's JSON).</summary>
public sealed class SqlPolicyOptions
{
    [Microsoft.Extensions.Configuration.ConfigurationKeyName("allowed_databases")]
    public List<string> AllowedDatabases { get; set; } = [];

    [Microsoft.Extensions.Configuration.ConfigurationKeyName("allowed_operations")]
    public List<string> AllowedOperations { get; set; } = [];

    [Microsoft.Extensions.Configuration.ConfigurationKeyName("requires_approval")]
    public List<string> RequiresApproval { get; set; } = [];

    [Microsoft.Extensions.Configuration.ConfigurationKeyName("environment")]
    public string? Environment { get; set; }

    [Microsoft.Extensions.Configuration.ConfigurationKeyName("max_rows")]
    public int? MaxRows { get; set; }

    public SqlPolicy ToPolicy() => new()
    {
        AllowedDatabases = [.. AllowedDatabases],
        AllowedOperations = [.. AllowedOperations],
        RequiresApproval = [.. RequiresApproval],
        Environment = Environment ?? "prod",
        MaxRows = MaxRows,
    };
}
