using System.Collections.Concurrent;

namespace Rose.Core.Audit;

/// <summary>A request to run SQL answered before the pipeline could record it (bad JSON, no or wrong key, too large, throttled).</summary>
/// <param name="Source">Who to count it against: the authenticated identity, else the client address.</param>
public sealed record RejectedRequest(Actor Executor, Channel Channel, string Source, string Database, int HttpStatus, string Why, string Request);

/// <summary>
/// Records rejected requests as denied attempts (operation REJECTED, the HTTP status and reason as the
/// decision reason), so key guessing and fuzzing show in the audit log. Each source gets at most
/// <see cref="PerWindow"/> rows per minute; the first request over that is recorded once as the
/// throttling itself, the rest of the window only counted in the log, so a flood cannot fill the disk.
/// </summary>
public sealed class RejectedRequestLog(AuditLog audit, ILogger<RejectedRequestLog> log, TimeProvider clock)
{
    public const string Operation = "REJECTED";

    public const int PerWindow = 20;

    /// <summary>Most sources tracked at once; beyond it, new sources share one window (a spray from many addresses is throttled as one).</summary>
    private const int MaxSources = 10_000;

    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, SourceWindow> windows = new();

    public async Task RecordAsync(RejectedRequest rejected, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(rejected);
        var now = clock.GetUtcNow();
        if (windows.Count > MaxSources)
        {
            foreach (var stale in windows.Where(w => now - w.Value.Start >= Window).Select(w => w.Key).ToList())
            {
                windows.TryRemove(stale, out _);
            }
        }

        var source = windows.Count > MaxSources && !windows.ContainsKey(rejected.Source) ? "*" : rejected.Source;
        var window = windows.AddOrUpdate(source, _ => new SourceWindow(now), (_, w) => now - w.Start >= Window ? new SourceWindow(now) : w);
        var n = window.Next();
        string why;
        if (n <= PerWindow)
        {
            why = $"HTTP {rejected.HttpStatus}: {rejected.Why}";
        }
        else if (n == PerWindow + 1)
        {
            why = $"HTTP {rejected.HttpStatus}: {rejected.Why}; over {PerWindow} rejected requests from {source} this minute: the rest of the minute is not recorded";
        }
        else
        {
            log.LogDebug("Rejected request from {Source} not recorded (over {PerWindow} this minute)", source, PerWindow);
            return;
        }

        try
        {
            var id = await audit.RecordAttemptAsync(new AuditAttempt(rejected.Executor, rejected.Channel, rejected.Database, null,
                rejected.Request, [Operation], Decision.Deny, [why]), ct);
            await audit.RecordOutcomeAsync(id, new AuditOutcome(AuditStatus.Denied, ErrorMessage: why), ct);
        }
        catch (AuditUnavailableException ex)
        {
            // The request was already refused; nothing ran. Say so where operators look.
            log.LogWarning(ex, "A rejected request from {Source} could not be recorded in the audit log", source);
        }
    }

    private sealed class SourceWindow(DateTimeOffset start)
    {
        private int count;

        public DateTimeOffset Start { get; } = start;

        public int Next() => Interlocked.Increment(ref count);
    }
}
