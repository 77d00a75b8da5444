using Rose.Core.Validation;

namespace Rose.Integration.Tests.Validation;

/// <summary>Two console instances sharing one control database run a scheduled slot once.</summary>
public sealed class ScheduleTests(PostgresServerFixture pg) : IClassFixture<PostgresServerFixture>, IAsyncLifetime
{
    private PipelineHarness first = null!;
    private PipelineHarness second = null!;

    public async Task InitializeAsync()
    {
        first = await PipelineHarness.CreateAsync(pg);
        await first.TargetExecAsync("CREATE TABLE items (id int PRIMARY KEY); INSERT INTO items SELECT generate_series(1, 10);");
        second = await PipelineHarness.AttachAsync(first);
    }

    public async Task DisposeAsync()
    {
        await second.DisposeAsync();
        await first.DisposeAsync();
    }

    [Fact]
    public async Task RunScheduled_TwoInstancesRacingForOneSlot_RunsOnce()
    {
        var slot = ValidationScheduler.SlotOf(DateTimeOffset.UtcNow, TimeSpan.FromMinutes(15));
        var a = first.Services.GetRequiredService<ValidationRunner>();
        var b = second.Services.GetRequiredService<ValidationRunner>();

        var reports = await Task.WhenAll(Enumerable.Range(0, 6).Select(i =>
            Task.Run(() => (i % 2 == 0 ? a : b).RunScheduledAsync("t", slot, CancellationToken.None))));

        Assert.Single(reports, r => r is not null);
        Assert.Equal(1L, await first.ControlScalarAsync<long>("SELECT count(*) FROM rose.validation_runs WHERE schedule_slot IS NOT NULL"));
        Assert.Equal("rose:validation", await first.ControlScalarAsync<string>("SELECT triggered_by FROM rose.validation_runs"));

        // The next slot is free again.
        Assert.NotNull(await b.RunScheduledAsync("t", slot.AddMinutes(15), CancellationToken.None));
    }

    [Theory]
    [InlineData("2026-01-01T10:07:30Z", 15, "2026-01-01T10:00:00Z")]
    [InlineData("2026-01-01T10:15:00Z", 15, "2026-01-01T10:15:00Z")]
    [InlineData("2026-01-01T23:59:59Z", 60, "2026-01-01T23:00:00Z")]
    public void SlotOf_CutsTimeIntoIntervals(string now, int minutes, string expected)
    {
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture),
            ValidationScheduler.SlotOf(DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture), TimeSpan.FromMinutes(minutes)));
    }
}
