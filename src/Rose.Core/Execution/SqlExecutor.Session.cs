using Npgsql;

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
            return new TargetSession(lease, limits, guard, target);
        }
        catch
        {
            await lease.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Sets the session's own limits again after a batch ran statements outside a transaction on it
    /// (those set the batch's limits for the whole session). A broken connection has nothing to restore.
    /// </summary>
    private static async Task RestoreSessionLimitsAsync(TargetSession session)
    {
        try
        {
            await SetSessionLimitsAsync(session.Connection, null, session.Limits, CancellationToken.None);
        }
        catch (NpgsqlException)
        {
            // The backend is gone with its settings; the holder finds the session broken on its next use.
        }
    }
}
