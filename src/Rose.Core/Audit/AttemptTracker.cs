namespace Rose.Core.Audit;

/// <summary>
/// Tells a caller whether anything under it wrote an audit attempt (the HTTP layer asks, so a
/// request the pipeline already recorded is not recorded again as rejected). The flag lives in an
/// object shared through an AsyncLocal: writes made deep in awaited calls are seen by the caller.
/// </summary>
public static class AttemptTracker
{
    private static readonly AsyncLocal<Flag?> Current = new();

    /// <summary>Starts tracking for this async flow; read <see cref="Flag.Recorded"/> after the work.</summary>
    public static Flag Begin() => Current.Value = new Flag();

    internal static void MarkRecorded()
    {
        if (Current.Value is { } flag)
        {
            flag.Recorded = true;
        }
    }

    public sealed class Flag
    {
        public bool Recorded { get; internal set; }
    }
}
