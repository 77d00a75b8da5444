namespace Rose.Core.Advisor;

/// <summary>
/// Rose:Advisor: the health checks' time thresholds (seconds) and the demo workload. The defaults
/// suit production; tests lower the thresholds to provoke each state in seconds.
/// </summary>
public sealed class AdvisorOptions
{
    public const string SectionName = "Rose:Advisor";

    /// <summary>A statement active longer than this is reported (long_running_queries).</summary>
    public int LongRunningSeconds { get; set; } = 300;

    /// <summary>A session idle inside an open transaction longer than this is reported (idle_in_transaction).</summary>
    public int IdleInTransactionSeconds { get; set; } = 300;

    /// <summary>A session waiting on a lock longer than this is reported (lock_waits).</summary>
    public int LockWaitSeconds { get; set; } = 30;

    /// <summary>Whether the embedded demo target gets its background workload (a 600,000-row table and slow queries) at start-up.</summary>
    public bool DemoWorkload { get; set; } = true;
}
