namespace Rose.Console.Tests;

/// <summary>
/// The base of test classes that share one console host for all their tests (<see cref="SharedRoseApp"/>,
/// a class fixture; settings and seed as <see cref="HostTest"/>'s, applied once): for tests that read only
/// what they wrote themselves (their own audit reason, their own rows, their own agents and keys), so that
/// each asserts what it would on a host of its own. Tests run one after another within a class.
/// Starting a host per test was most of the console suite's time.
/// </summary>
public abstract class SharedHostTest(PostgresServerFixture pg, SharedRoseApp shared) : HostTest(pg), IClassFixture<SharedRoseApp>
{
    protected override Task<RoseAppFactory> StartAsync() => shared.GetAsync(base.StartAsync);

    /// <summary>The host belongs to the class fixture, which stops it after the class's last test.</summary>
    public override Task DisposeAsync() => Task.CompletedTask;
}
