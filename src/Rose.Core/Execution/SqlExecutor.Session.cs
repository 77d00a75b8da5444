using Rose.Core.Targets;

namespace Rose.Core.Execution;

/// <summary>Sessions that hold one target connection for a whole run (the migration runner).</summary>
public sealed partial class SqlExecutor
{
    /// <summary>
    /// Opens one read-write connection to the target and keeps it for the caller's whole run, so a
    /// session-level advisory lock and the run's transactions live on the same backend. Session
    /// settings (timeouts) are set once here and are reset when the pooled connection is returned.
    /// </summary>
    public async Task<TargetSession> OpenSessionAsync(RegisteredTarget target, ExecutionLimits limits, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(limits);
        var conn = await target.ReadWrite.OpenConnectionAsync(ct);
        try
        {
            await SetSessionLimitsAsync(conn, null, limits, ct);
            return new TargetSession(conn, limits);
        }
        catch
        {
            await conn.DisposeAsync();
            throw;
        }
    }
}
