using Npgsql;

namespace Rose.Core.Instances;

/// <summary>
/// Start-up work that every console sharing a control database runs, but one at a time: each waits for
/// a session advisory lock, so the second finds the first one's work done (and audits nothing).
/// </summary>
public static class AdvisoryLocks
{
    /// <summary>Syncing Rose:Agents into the control database ('rose' 'agnt').</summary>
    public const long AgentSync = 0x726F7365_61676E74;

    /// <summary>Creating the first Data Protection key ('rose' 'keys').</summary>
    public const long KeyRing = 0x726F7365_6B657973;

    /// <summary>Runs <paramref name="work"/> while this session holds the lock <paramref name="key"/>.</summary>
    public static async Task<T> WithLockAsync<T>(NpgsqlDataSource control, long key, Func<Task<T>> work, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(control);
        ArgumentNullException.ThrowIfNull(work);
        await using var conn = await control.OpenConnectionAsync(ct);
        await using (var take = new NpgsqlCommand("SELECT pg_advisory_lock($1)", conn))
        {
            take.Parameters.Add(new NpgsqlParameter<long> { TypedValue = key });
            await take.ExecuteNonQueryAsync(ct);
        }

        try
        {
            return await work();
        }
        finally
        {
            // Released explicitly: the pooled session outlives this call.
            await using var release = new NpgsqlCommand("SELECT pg_advisory_unlock($1)", conn);
            release.Parameters.Add(new NpgsqlParameter<long> { TypedValue = key });
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    public static Task WithLockAsync(NpgsqlDataSource control, long key, Func<Task> work, CancellationToken ct) =>
        WithLockAsync(control, key, async () =>
        {
            await work();
            return true;
        }, ct);
}
