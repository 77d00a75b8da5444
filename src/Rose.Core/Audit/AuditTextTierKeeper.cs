namespace Rose.Core.Audit;

/// <summary>
/// Keeps the audit text search's tier indexes (<see cref="AuditTextTiers"/>) one tier ahead of the newest
/// audit row, so the tier new rows go into already has its index (built while empty, which is instant).
/// A console that was down while another wrote a whole tier, or a build that was interrupted, is caught
/// up on the next pass. A failed pass changes nothing search returns (indexes only change its speed).
/// </summary>
internal sealed class AuditTextTierKeeper(ControlDatabase control, ILogger<AuditTextTierKeeper> logger) : PeriodicControlPass(logger)
{
    /// <summary>
    /// Between passes. One tier is 1,000,000 ids; at a sustained 1,000 audit rows a second the next tier is
    /// reached in ~17 minutes, and it is already built when the one before it starts.
    /// </summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);

    protected override TimeSpan FirstDelay => TimeSpan.FromSeconds(30);

    protected override TimeSpan Period => Interval;

    protected override string Activity => "Building the audit text search tier indexes (search stays exact meanwhile)";

    protected override async Task PassAsync(CancellationToken ct)
    {
        if (await AuditTextTiers.EnsureAsync(control, AuditTextTiers.Width, ct) is > 0 and var built)
        {
            logger.LogInformation("Built {Count} audit text search tier index(es)", built);
        }
    }
}
