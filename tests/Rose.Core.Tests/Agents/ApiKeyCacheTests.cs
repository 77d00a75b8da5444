using Rose.Core.Agents;
using Rose.Core.Policy;

namespace Rose.Core.Tests.Agents;

/// <summary>The API key cache fails closed: nothing is stored unless changes are listened for, a change empties it, entries end with their key.</summary>
public sealed class ApiKeyCacheTests
{
    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static readonly DateTimeOffset Start = new(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);

    private static VerifiedKey Key(DateTimeOffset? expires = null) =>
        new(7, new Agent("bot", "Bot", SqlPolicy.DenyAll, "console", null), expires);

    [Fact]
    public void NotListening_StoresNothing()
    {
        var cache = new ApiKeyCache(new ManualClock(Start));

        Assert.False(cache.TryAdd("h", Key(), cache.Generation));
        Assert.Null(cache.TryGet("h"));
    }

    [Fact]
    public void Listening_ServesTheKeyUntilItsLifetimeEnds()
    {
        var clock = new ManualClock(Start);
        var cache = new ApiKeyCache(clock);
        cache.SetLive(true);

        Assert.True(cache.TryAdd("h", Key(), cache.Generation));
        clock.Now = Start + ApiKeyCache.Lifetime - TimeSpan.FromMilliseconds(1);
        Assert.Equal(7, cache.TryGet("h")?.KeyId);
        clock.Now = Start + ApiKeyCache.Lifetime;
        Assert.Null(cache.TryGet("h"));
    }

    [Fact]
    public void Entry_EndsWhenTheKeyExpires()
    {
        var clock = new ManualClock(Start);
        var cache = new ApiKeyCache(clock);
        cache.SetLive(true);

        Assert.True(cache.TryAdd("h", Key(expires: Start.AddSeconds(1)), cache.Generation));
        clock.Now = Start.AddSeconds(1);

        Assert.Null(cache.TryGet("h"));
    }

    [Fact]
    public void Change_EmptiesTheCache_AndRefusesAnswersReadBeforeIt()
    {
        var cache = new ApiKeyCache(new ManualClock(Start));
        cache.SetLive(true);
        Assert.True(cache.TryAdd("a", Key(), cache.Generation));

        var readBefore = cache.Generation; // a verification query starts
        cache.InvalidateAll();              // a revocation commits meanwhile

        Assert.Null(cache.TryGet("a"));
        Assert.False(cache.TryAdd("b", Key(), readBefore));
        Assert.Null(cache.TryGet("b"));
        Assert.True(cache.TryAdd("b", Key(), cache.Generation));
    }

    [Fact]
    public void ListenerLost_EmptiesTheCache_AndStopsStoring()
    {
        var cache = new ApiKeyCache(new ManualClock(Start));
        cache.SetLive(true);
        Assert.True(cache.TryAdd("a", Key(), cache.Generation));

        cache.SetLive(false);

        Assert.Null(cache.TryGet("a"));
        Assert.False(cache.TryAdd("a", Key(), cache.Generation));
    }

    [Fact]
    public void VerifiedKey_AlsoServesItsAgent_UntilAChange()
    {
        var clock = new ManualClock(Start);
        var cache = new ApiKeyCache(clock);
        cache.SetLive(true);
        Assert.True(cache.TryAdd("h", Key(), cache.Generation));

        Assert.Equal("bot", cache.TryGetAgent("bot")?.Id);
        cache.InvalidateAll(); // the agent's policy or tools changed somewhere

        Assert.Null(cache.TryGetAgent("bot"));
    }

    [Fact]
    public void Agent_FollowsTheKeyRules_LiveOnly_LifetimeBound_NoStaleStore()
    {
        var clock = new ManualClock(Start);
        var cache = new ApiKeyCache(clock);
        var agent = Key().Agent;
        Assert.False(cache.TryAddAgent(agent, cache.Generation)); // not listening: nothing stored

        cache.SetLive(true);
        var readBefore = cache.Generation;
        cache.InvalidateAll();
        Assert.False(cache.TryAddAgent(agent, readBefore)); // read before a change: refused

        Assert.True(cache.TryAddAgent(agent, cache.Generation));
        clock.Now = Start + ApiKeyCache.Lifetime;
        Assert.Null(cache.TryGetAgent("bot"));

        Assert.True(cache.TryAddAgent(agent, cache.Generation));
        cache.SetLive(false);
        Assert.Null(cache.TryGetAgent("bot"));
    }
}
