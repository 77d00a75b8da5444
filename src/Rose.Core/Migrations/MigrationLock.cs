namespace Rose.Core.Migrations;

/// <summary>
/// The session every schema change on a target runs under: one connection with the migration
/// limits, holding the session-level advisory lock <see cref="SchemaHistory.AdvisoryLockKey"/>.
/// Shared by the runner and by approved migration runs, so both exclude each other the same way.
/// </summary>
internal static class MigrationLock
{
    /// <summary>Opens the session and waits for the lock; the session is closed again if the lock is not had.</summary>
    public static async Task<TargetSession> OpenAsync(SqlExecutor executor, RegisteredTarget target, MigrationOptions options, CancellationToken ct)
    {
        var limits = new ExecutionLimits(0, TimeSpan.FromSeconds(options.StatementTimeoutSeconds), target.Definition.LockTimeout);
        var session = await executor.OpenSessionAsync(target, limits, ct);
        try
        {
            await AcquireAsync(session, options.LockWaitSeconds, ct);
            return session;
        }
        catch
        {
            await session.DisposeAsync();
            throw;
        }
    }

    /// <summary>Rolls back anything open and unlocks; never throws, because it runs in finally blocks.</summary>
    public static async Task ReleaseAsync(TargetSession session)
    {
        try
        {
            await session.RollbackAsync();
            await session.QueryAsync("SELECT pg_advisory_unlock($1)", [SchemaHistory.AdvisoryLockKey], CancellationToken.None);
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or InvalidOperationException)
        {
            // A broken connection released the session lock with the backend.
        }
    }

    private static async Task AcquireAsync(TargetSession session, int waitSeconds, CancellationToken ct)
    {
        // pg_advisory_lock would wait under lock_timeout; polling the try-variant waits as long as configured instead.
        var deadline = DateTimeOffset.UtcNow.AddSeconds(waitSeconds);
        while (true)
        {
            var rows = await session.QueryAsync("SELECT pg_try_advisory_lock($1)", [SchemaHistory.AdvisoryLockKey], ct);
            if (rows[0][0] is true)
            {
                return;
            }

            if (DateTimeOffset.UtcNow > deadline)
            {
                throw new MigrationException($"Another migration run holds the migration lock on this target; gave up after {waitSeconds} s (Rose:Migrations:LockWaitSeconds).");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), ct);
        }
    }
}
