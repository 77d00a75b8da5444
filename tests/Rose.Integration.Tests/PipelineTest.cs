using Rose.Core.Configuration;

namespace Rose.Integration.Tests;

/// <summary>
/// The base of integration test classes that drive the pipeline: a <see cref="PipelineHarness"/> (a fresh control
/// database from the migrated template, a fresh target `t`, the real services layer) with the class's target
/// options, settings and seed. By default each test has one of its own, disposed after the test. A class whose
/// tests each leave the databases as the others expect them (they read, are refused, roll back, or touch only rows
/// and objects of their own) passes a <see cref="SharedHarness"/> instead: one harness, seeded once, for all its
/// tests, disposed after the last. Making a harness (two database copies, the bootstrap, the first connections to
/// both) took 1.1-1.7 s under load, several times most such tests' own time.
/// </summary>
public abstract class PipelineTest(PostgresServerFixture pg, SharedHarness? shared = null) : IAsyncLifetime
{
    protected PostgresServerFixture Pg => pg;

    /// <summary>The test's harness (available from InitializeAsync on): its own, or the class's shared one.</summary>
    private protected PipelineHarness Harness { get; private set; } = null!;

    /// <summary>The target's options beyond a connection string and environment dev (timeouts, a read-only connection, a migrations folder).</summary>
    protected virtual void ConfigureTarget(TargetOptions target)
    {
    }

    /// <summary>Configuration of the services layer beyond the harness's own.</summary>
    protected virtual IReadOnlyDictionary<string, string?>? Settings => null;

    /// <summary>What the tests need on the target before they run (tables, rows): once per harness.</summary>
    protected virtual Task SeedAsync() => Task.CompletedTask;

    /// <summary>
    /// The test's own target database (a connection string): a fresh, empty one, or for a class whose seed is
    /// large, a copy of a template seeded once per run (<see cref="PostgresServerFixture.CreateDatabaseFromTemplateAsync"/>),
    /// which is a file copy instead of the same rows inserted again for every test.
    /// </summary>
    protected virtual Task<string> CreateTargetAsync() => pg.CreateDatabaseAsync("target");

    public virtual async Task InitializeAsync() =>
        Harness = shared is null ? await CreateSeededAsync() : await shared.HarnessAsync(CreateSeededAsync);

    private async Task<PipelineHarness> CreateSeededAsync()
    {
        var harness = await PipelineHarness.CreateAsync(pg, ConfigureTarget, Settings, await CreateTargetAsync());
        // The seed runs through this instance's Harness; a failed seed disposes what it made before failing the test.
        Harness = harness;
        try
        {
            await SeedAsync();
        }
        catch
        {
            await harness.DisposeAsync();
            throw;
        }

        return harness;
    }

    /// <summary>Disposes the test's own harness; a shared one belongs to its class fixture, which disposes it after the last test.</summary>
    public virtual async Task DisposeAsync()
    {
        if (shared is null)
        {
            await Harness.DisposeAsync();
        }
    }
}
