namespace Rose.Integration.Tests;

/// <summary>
/// One <see cref="PipelineHarness"/> (its databases seeded once) for all the tests of a class, for classes
/// whose tests change nothing they share: large seeded tables are most of such a class's time. Held as
/// IAsyncDisposable because the harness is internal to this assembly and xunit needs a public fixture type.
/// </summary>
public sealed class SharedHarness : SharedFixture<IAsyncDisposable>
{
    internal async Task<PipelineHarness> HarnessAsync(Func<Task<PipelineHarness>> create) =>
        (PipelineHarness)await GetAsync(async () => await create());
}
