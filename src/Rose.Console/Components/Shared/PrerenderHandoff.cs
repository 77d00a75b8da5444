using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Rose.Console.Components.Shared;

/// <summary>
/// Hands what a page loaded while it was prerendered to the same page's first interactive render, so the
/// page does not blank out and refill when the circuit starts. Without it every page that loads data in
/// OnParametersSetAsync rendered three times on a full load: prerendered with its data, then interactive
/// and empty (the load had to run again and its first await let the empty render through), then full
/// again; a click that landed in the empty moment was lost (seen in E2E runs on the migrations tabs).
/// <para>
/// The data stays on the server: the page's HTML carries only a random token in Blazor's persisted
/// component state (which the framework protects with Data Protection for server components), and the
/// token finds the loaded objects in <see cref="PrerenderHandoffStore"/> for a few seconds, once. Nothing
/// is serialized, so no type needs to be JSON-friendly and nothing a page holds in memory (a target's
/// connection string inside its definition, say) is ever written into HTML. When the circuit lands on
/// another console than the prerender did, or the entry expired, the page loads as it did before.
/// </para>
/// </summary>
public sealed class PrerenderHandoff : IDisposable
{
    private readonly PersistentComponentState state;
    private readonly PrerenderHandoffStore store;
    private readonly Dictionary<string, string> tokens = new(StringComparer.Ordinal);
    private PersistingComponentStateSubscription subscription;
    private bool registered;

    public PrerenderHandoff(PersistentComponentState state, PrerenderHandoffStore store)
    {
        this.state = state;
        this.store = store;
    }

    /// <summary>
    /// What the prerender of this page kept under <paramref name="key"/> (taken once), or else what <paramref name="load"/>
    /// reads; while prerendering (<paramref name="prerendering"/>, the page's <c>!RendererInfo.IsInteractive</c>) what was
    /// read is kept for the page's live render.
    /// </summary>
    public async Task<T> TakeOrLoadAsync<T>(string key, bool prerendering, Func<Task<T>> load)
        where T : class
    {
        if (Take<T>(key) is { } kept)
        {
            return kept;
        }

        var loaded = await load();
        Keep(key, loaded, prerendering);
        return loaded;
    }

    private T? Take<T>(string key)
        where T : class
    {
        return state.TryTakeFromJson<string>(Slot(key), out var token) && token is not null ? store.Take<T>(token, key) : null;
    }

    // Interactive renders keep nothing: only a prerender has a live render after it.
    private void Keep<T>(string key, T value, bool prerendering)
        where T : class
    {
        if (!prerendering)
        {
            return;
        }

        tokens[Slot(key)] = store.Put(key, value);
        if (!registered)
        {
            registered = true;
            subscription = state.RegisterOnPersisting(() =>
            {
                foreach (var (slot, token) in tokens)
                {
                    state.PersistAsJson(slot, token);
                }

                return Task.CompletedTask;
            });
        }
    }

    public void Dispose()
    {
        // Interactive renders never register (Keep returns first), so most scopes have nothing to undo.
        if (registered)
        {
            subscription.Dispose();
        }
    }

    private static string Slot(string key) => "rose-handoff:" + key;
}

/// <summary>
/// The loaded objects behind <see cref="PrerenderHandoff"/> tokens: one process, a short life, a bounded count.
/// A prerender whose circuit never starts (a crawler, a closed tab) leaves an entry that expires; past the bound
/// new prerenders keep nothing and their pages load again when interactive, as without a handoff.
/// </summary>
public sealed class PrerenderHandoffStore(TimeProvider clock)
{
    /// <summary>How long a prerendered page's data waits for its circuit (Blazor's own start takes about a second).</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(15);

    /// <summary>
    /// At most this many pages' data wait at once. Small on purpose: an entry can hold a page of audit rows with their
    /// whole SQL, and a signed-in user reloading a page fast must not make the console hold hundreds of those.
    /// </summary>
    public const int MaxEntries = 128;

    private readonly ConcurrentDictionary<string, Entry> entries = new(StringComparer.Ordinal);

    public string Put(string key, object value)
    {
        var now = clock.GetUtcNow();
        Sweep(now);
        var token = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        if (entries.Count < MaxEntries)
        {
            entries[token] = new Entry(key, value, now + Lifetime);
        }

        return token;
    }

    public T? Take<T>(string token, string key)
        where T : class =>
        entries.TryRemove(token, out var entry) && entry.Key == key && entry.Expires > clock.GetUtcNow() ? entry.Value as T : null;

    public int Count => entries.Count;

    private void Sweep(DateTimeOffset now)
    {
        foreach (var (token, entry) in entries)
        {
            if (entry.Expires <= now)
            {
                entries.TryRemove(token, out _);
            }
        }
    }

    private sealed record Entry(string Key, object Value, DateTimeOffset Expires);
}
