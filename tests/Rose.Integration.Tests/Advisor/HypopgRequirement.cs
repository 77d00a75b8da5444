namespace Rose.Integration.Tests.Advisor;

/// <summary>Fails (never skips) a test that needs hypopg when the test server does not have it.</summary>
internal static class HypopgRequirement
{
    public static async Task EnsureAsync(PipelineHarness h)
    {
        var available = await h.TargetScalarAsync<long>("SELECT count(*) FROM pg_available_extensions WHERE name = 'hypopg'");
        if (available == 0)
        {
            throw new InvalidOperationException(
                "hypopg is not installed on the test PostgreSQL server. Install postgresql-<major>-hypopg (Debian) — "
                + "scripts/lib.sh and the rose-pg test images provide it — and run the tests again.");
        }
    }
}
