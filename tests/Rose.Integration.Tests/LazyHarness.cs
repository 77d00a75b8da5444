namespace Rose.Integration.Tests;

/// <summary>
/// A test's own <see cref="PipelineHarness"/>, made on first use and disposed with the test: for classes
/// whose table-driven cases read one shared result, so only the tests that need databases pay for them.
/// </summary>
internal sealed class LazyHarness(Func<Task<PipelineHarness>> create) : IAsyncDisposable
{
    private PipelineHarness? harness;

    public async Task<PipelineHarness> GetAsync() => harness ??= await create();

    public async ValueTask DisposeAsync()
    {
        if (harness is not null)
        {
            await harness.DisposeAsync();
        }
    }
}
