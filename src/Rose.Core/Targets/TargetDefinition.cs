namespace Rose.Core.Targets;

/// <summary>A database Rose may run SQL on.</summary>
public sealed record TargetDefinition
{
    public required string Name { get; init; }
    public required string ConnectionString { get; init; }

    /// <summary>Optional connection used for all-read batches (e.g. a replica or a read-only role).</summary>
    public string? ReadOnlyConnectionString { get; init; }

    public TargetEnvironment Environment { get; init; } = TargetEnvironment.Prod;
    public TimeSpan StatementTimeout { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Most rows returned per result set; more are counted as truncated.</summary>
    public int MaxRows { get; init; } = 10_000;

    /// <summary>Folder of Flyway-style migration files for this target, if any.</summary>
    public string? MigrationsPath { get; init; }

    /// <summary>When Rose copies the rows a destructive statement changes before it runs (Rose:Targets:name:PriorBackup).</summary>
    public Undo.PriorBackupMode PriorBackup { get; init; } = Undo.PriorBackupMode.Approvals;
}
