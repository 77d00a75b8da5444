namespace Rose.Tests.Shared;

/// <summary>
/// Something costly to start (a console host; a services harness with its seeded databases) held for all
/// the tests of a class (IClassFixture) and disposed after the last one, for tests that read only what they
/// wrote. The first test creates it, since creating it needs the class's PostgreSQL fixture, which xunit 2
/// cannot pass to a class fixture.
/// </summary>
public class SharedFixture<T> : IAsyncLifetime where T : class, IAsyncDisposable
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private T? value;

    public async Task<T> GetAsync(Func<Task<T>> create)
    {
        await gate.WaitAsync();
        try
        {
            return value ??= await create();
        }
        finally
        {
            gate.Release();
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (value is not null)
        {
            await value.DisposeAsync();
        }

        gate.Dispose();
    }
}
