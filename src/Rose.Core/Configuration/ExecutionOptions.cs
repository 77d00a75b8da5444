namespace Rose.Core.Configuration;

public sealed class ExecutionOptions
{
    public int DefaultStatementTimeoutSeconds { get; set; } = 30;
    public int DefaultLockTimeoutSeconds { get; set; } = 5;
    public int DefaultMaxRows { get; set; } = 10_000;

    /// <summary>Largest SQL text accepted, in characters; bigger input is refused before parsing.</summary>
    public int MaxSqlLength { get; set; } = 1_000_000;
}
