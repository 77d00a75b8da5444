namespace Rose.Core.Validation;

/// <summary>
/// Where a validation run is. <see cref="Done"/> counts finished steps and only grows;
/// <see cref="Total"/> is the number of steps, known once the catalog is read (0 before);
/// <see cref="Message"/> names the step now under way, or at the end (Done == Total) what the run found.
/// Steps: the catalog read, one combined data-check query per table, each custom assertion, the
/// schema audit, storing the results.
/// </summary>
public sealed record ValidationProgress(string Stage, int Done, int Total, string Message)
{
    public const string Catalog = "catalog";
    public const string Checks = "checks";
    public const string Assertion = "assertion";
    public const string Audit = "audit";
    public const string Store = "store";
    public const string Finished = "finished";

    /// <summary>"3 of 11: checks on public.orders"; before the total is known just the message.</summary>
    public override string ToString() => Total == 0 ? Message : $"{Done} of {Total}: {Message}";
}
