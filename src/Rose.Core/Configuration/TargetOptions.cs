namespace Rose.Core.Configuration;

public sealed class TargetOptions
{
    public string? ConnectionString { get; set; }
    public string? ReadOnlyConnectionString { get; set; }
    public string? Environment { get; set; }
    public int? StatementTimeoutSeconds { get; set; }
    public int? LockTimeoutSeconds { get; set; }
    public int? MaxRows { get; set; }
    public string? MigrationsPath { get; set; }

    /// <summary>off | approvals | always: when a prior backup is taken (default: always on dev targets, approvals elsewhere).</summary>
    public string? PriorBackup { get; set; }
}
