using System.Globalization;
using Rose.Console.Components.Shared;

namespace Rose.Console.Tests.Components.Layout;

/// <summary>The server side of the prerender handoff: a token finds its page's data once, for its key, while it lives.</summary>
public sealed class PrerenderHandoffStoreTests
{
    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private sealed record Data(string Text);

    [Fact]
    public void Take_ReturnsTheDataOnce_ForItsOwnKeyOnly()
    {
        var store = new PrerenderHandoffStore(new ManualClock(DateTimeOffset.UnixEpoch));
        var data = new Data("loaded");
        var token = store.Put("audit:/audit", data);

        Assert.Null(store.Take<Data>(token, "audit:/audit?q=x"));
        // A wrong key still uses the token up: a token is good for one take whatever it asks.
        Assert.Null(store.Take<Data>(token, "audit:/audit"));

        var second = store.Put("audit:/audit", data);
        Assert.Same(data, store.Take<Data>(second, "audit:/audit"));
        Assert.Null(store.Take<Data>(second, "audit:/audit"));
        Assert.Null(store.Take<Data>("00112233445566778899AABBCCDDEEFF", "audit:/audit"));
    }

    [Fact]
    public void Take_AfterTheLifetime_FindsNothing_AndPutSweepsExpiredEntries()
    {
        var clock = new ManualClock(DateTimeOffset.UnixEpoch);
        var store = new PrerenderHandoffStore(clock);
        var token = store.Put("home:", new Data("old"));
        clock.Now += PrerenderHandoffStore.Lifetime;
        Assert.Null(store.Take<Data>(token, "home:"));

        store.Put("home:", new Data("a"));
        clock.Now += PrerenderHandoffStore.Lifetime;
        store.Put("home:", new Data("b"));
        Assert.Equal(1, store.Count);
    }

    [Fact]
    public void Put_PastTheBound_KeepsNothing_SoThePageLoadsAgain()
    {
        var store = new PrerenderHandoffStore(new ManualClock(DateTimeOffset.UnixEpoch));
        for (var i = 0; i < PrerenderHandoffStore.MaxEntries; i++)
        {
            store.Put("k", new Data(i.ToString(CultureInfo.InvariantCulture)));
        }

        var over = store.Put("k", new Data("over"));
        Assert.Equal(PrerenderHandoffStore.MaxEntries, store.Count);
        Assert.Null(store.Take<Data>(over, "k"));
        Assert.Equal(32, over.Length);
    }
}
