using Rose.Core.Execution;

namespace Rose.Core.Tests.Execution;

/// <summary>
/// Plain reads take one round trip only while Npgsql lets a batch ask for text results; this pins that for the
/// Npgsql Rose ships, so an upgrade that drops the switch is noticed here rather than as a slower benchmark.
/// </summary>
public sealed class OneTripReadTests
{
    [Fact]
    public void TheNpgsqlRoseShips_LetsABatchAskForTextResults() => Assert.True(SqlExecutor.OneTripReadsAvailable);
}
