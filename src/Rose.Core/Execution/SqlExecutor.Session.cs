using Rose.Core.Targets;

namespace Rose.Core.Execution;

/// <summary>Sessions that hold one target connection for a whole run (the migration runner).</summary>
internal sealed partial class SqlExecutor
{
    /// <summary>
    /// Opens one read-write connection to the target and keeps it for the caller's whole run, so a
    /// session-level advisory lock and the run's transactions live on the same backend. Session
    /// settings (timeouts) are set once here; the session lock, settings and anything else the run left
    /// on the backend are discarded before the connection goes back to the pool.
    /// </summary>
    public async Task<TargetSession> OpenSessionAsync(RegisteredTarget target, ExecutionLimits limits, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(limits);
        var lease = await CleanConnection.OpenAsync(target.ReadWrite, ct);
        try
        {
            await SetSessionLimitsAsync(lease.Connection, null, limits, ct);
            return new TargetSession(lease, limits, guard);
        }
        catch
        {
            await lease.DisposeAsync();
            throw;
        }
    }
}
