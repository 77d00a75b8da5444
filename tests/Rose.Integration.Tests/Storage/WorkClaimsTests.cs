using Rose.Core.Instances;
using Rose.Core.Control;

namespace Rose.Integration.Tests.Storage;

/// <summary>Once-only scheduled work: of several consoles asking for the same slot, exactly one gets it.</summary>
public sealed class WorkClaimsTests(PostgresServerFixture pg) : IClassFixture<PostgresServerFixture>
{
    [Fact]
    public async Task TryClaimAsync_EightConsolesAtOnce_ExactlyOneWinsTheSlot()
    {
        var cs = await MigratedDatabaseAsync("claims_race");
        var consoles = Enumerable.Range(0, 8).Select(_ => new ControlDatabase(cs)).ToList();
        try
        {
            var clock = new FixedClock(new DateTimeOffset(2026, 12, 1, 10, 0, 30, TimeSpan.Zero));
            var results = await Task.WhenAll(consoles.Select(c => new WorkClaims(c, clock).TryClaimAsync("audit-checkpoint", TimeSpan.FromMinutes(1), CancellationToken.None)));

            Assert.Single(results, won => won);
            Assert.Equal(WorkClaims.Instance, await new WorkClaims(consoles[0], clock).ClaimantAsync("audit-checkpoint",
                new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero), CancellationToken.None));
        }
        finally
        {
            foreach (var c in consoles)
            {
                await c.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task TryClaimAsync_NextSlotOrOtherWork_IsClaimedAfresh()
    {
        await using var control = new ControlDatabase(await MigratedDatabaseAsync("claims_slots"));
        var clock = new FixedClock(new DateTimeOffset(2026, 12, 1, 10, 0, 59, TimeSpan.Zero));
        var claims = new WorkClaims(control, clock);

        Assert.True(await claims.TryClaimAsync("approval-expiry", TimeSpan.FromMinutes(1), CancellationToken.None));
        Assert.False(await claims.TryClaimAsync("approval-expiry", TimeSpan.FromMinutes(1), CancellationToken.None));
        Assert.True(await claims.TryClaimAsync("audit-checkpoint", TimeSpan.FromMinutes(1), CancellationToken.None));
        clock.Now = clock.Now.AddSeconds(1);
        Assert.True(await claims.TryClaimAsync("approval-expiry", TimeSpan.FromMinutes(1), CancellationToken.None));
    }

    [Fact]
    public void SlotOf_CutsTimeIntoIntervals()
    {
        var slot = WorkClaims.SlotOf(new DateTimeOffset(2026, 12, 1, 10, 7, 42, TimeSpan.FromHours(2)), TimeSpan.FromMinutes(5));

        Assert.Equal(new DateTimeOffset(2026, 12, 1, 8, 5, 0, TimeSpan.Zero), slot);
        Assert.Throws<ArgumentOutOfRangeException>(() => WorkClaims.SlotOf(DateTimeOffset.UnixEpoch, TimeSpan.Zero));
    }

    /// <summary>A control database with the current schema: a copy of the run's migrated template, not the migrations replayed per test.</summary>
    private Task<string> MigratedDatabaseAsync(string prefix) => pg.CreateControlDatabaseAsync(prefix);

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
