using Rose.Core.Configuration;

namespace Rose.Integration.Tests;

/// <summary>
/// The base of integration test classes that drive the pipeline: a <see cref="PipelineHarness"/> of its own
/// for each test (a fresh control database from the migrated template, a fresh target `t`, the real
/// services layer), with the class's target options, settings and seed, disposed after the test. A class
/// whose tests change nothing they share holds one harness instead (<see cref="SharedHarness"/>).
/// </summary>
public abstract class PipelineTest(PostgresServerFixture pg) : IAsyncLifetime
{
    protected PostgresServerFixture Pg => pg;

    /// <summary>The test's harness (available from InitializeAsync on).</summary>
    private protected PipelineHarness Harness { get; private set; } = null!;

    /// <summary>The target's options beyond a connection string and environment dev (timeouts, a read-only connection, a migrations folder).</summary>
    protected virtual void ConfigureTarget(TargetOptions target)
    {
    }

    /// <summary>Configuration of the services layer beyond the harness's own.</summary>
    protected virtual IReadOnlyDictionary<string, string?>? Settings => null;

    /// <summary>What the tests need on the target before they run (tables, rows).</summary>
    protected virtual Task SeedAsync() => Task.CompletedTask;

    /// <summary>
    /// The test's own target database (a connection string): a fresh, empty one, or for a class whose seed is
    /// large, a copy of a template seeded once per run (<see cref="PostgresServerFixture.CreateDatabaseFromTemplateAsync"/>),
    /// which is a file copy instead of the same rows inserted again for every test.
    /// </summary>
    protected virtual Task<string> CreateTargetAsync() => pg.CreateDatabaseAsync("target");

    public virtual async Task InitializeAsync()
    {
        Harness = await PipelineHarness.CreateAsync(pg, ConfigureTarget, Settings, await CreateTargetAsync());
        await SeedAsync();
    }

    public virtual async Task DisposeAsync() => await Harness.DisposeAsync();
}
