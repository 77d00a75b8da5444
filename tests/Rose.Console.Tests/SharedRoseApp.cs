using Rose.Tests.Shared;

namespace Rose.Console.Tests;

/// <summary>
/// One console host for all the tests of a class (IClassFixture), for classes whose tests only read what
/// they wrote themselves (their own audit reason, their own rows). Starting a host per test was most of the
/// console suite's time; classes whose tests depend on a fresh control or target database keep their own.
/// Created on the first test's call, since it needs the class's PostgreSQL fixture.
/// </summary>
public sealed class SharedRoseApp : IAsyncLifetime
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private RoseAppFactory? app;

    public async Task<RoseAppFactory> GetAsync(PostgresServerFixture pg)
    {
        await gate.WaitAsync();
        try
        {
            return app ??= await RoseAppFactory.CreateAsync(pg);
        }
        finally
        {
            gate.Release();
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (app is not null)
        {
            await app.DisposeAsync();
        }
        gate.Dispose();
    }
}
