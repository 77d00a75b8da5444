namespace Rose.Integration.Tests.Advisor;

/// <summary>Fails (never skips) a test that needs hypopg when the test server does not have it.</summary>
internal static class HypopgRequirement
{
    public static async Task EnsureAsync(PipelineHarness h) =>
        Ensure(await h.TargetScalarAsync<long>("SELECT count(*) FROM pg_available_extensions WHERE name = 'hypopg'"));

    /// <summary>The same check on a connection to the server (e.g. one building a seeded template).</summary>
    public static async Task EnsureAsync(NpgsqlConnection conn)
    {
        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM pg_available_extensions WHERE name = 'hypopg'", conn);
        Ensure((long)(await cmd.ExecuteScalarAsync())!);
    }

    private static void Ensure(long available)
    {
        if (available == 0)
        {
            throw new InvalidOperationException(
                "hypopg is not installed on the test PostgreSQL server. Install postgresql-<major>-hypopg (Debian) — "
                + "scripts/lib.sh and the rose-pg test images provide it — and run the tests again.");
        }
    }
}
