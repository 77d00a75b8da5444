namespace Rose.Core.Audit;

/// <summary>
/// Keeps the audit text search's gram statistics (<see cref="AuditTextGramStats"/>) current: a sample
/// every few hours, first a little after start (not during it). Off the request path and not per audit
/// INSERT; a failed refresh keeps the previous figures, and search is exactly correct with any figures
/// or none (they only choose between equally correct plans).
/// </summary>
internal sealed class AuditTextGramRefresher(ControlDatabase control, ILogger<AuditTextGramRefresher> logger) : PeriodicControlPass(logger)
{
    /// <summary>How old the figures may get; a sample takes seconds, and which sequences are rare changes slowly.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromHours(6);

    protected override TimeSpan FirstDelay => TimeSpan.FromMinutes(2);

    /// <summary>Checked six times per <see cref="Interval"/>; a pass refreshes only figures older than it (another console may have).</summary>
    protected override TimeSpan Period => Interval / 6;

    protected override string Activity => "Refreshing the audit text search statistics";

    protected override async Task PassAsync(CancellationToken ct)
    {
        if (await AuditTextGramStats.RefreshAsync(control, Interval, ct) is { } sampled)
        {
            logger.LogInformation("Audit text search statistics refreshed from {Rows} sampled rows", sampled);
        }
    }
}
