namespace Rose.Core.Audit;

/// <summary>
/// Filters for browsing the audit log. Paging is keyset on id, newest first: pass the last id seen
/// as Before for the next (older) page, or the first id seen as After for the previous (newer) one.
/// </summary>
public sealed record AuditFilter
{
    public const int MaxLimit = 1000;

    public int Limit { get; init; } = 50;
    public long? Before { get; init; }
    public long? After { get; init; }
    public string? Database { get; init; }

    /// <summary>The executor's stable id (an exact match, so it can use its index at any size).</summary>
    public string? Executor { get; init; }

    public string? ExecutorKind { get; init; }
    public string? Channel { get; init; }

    /// <summary>succeeded, failed, denied, pending_approval, cancelled, or running (no outcome yet).</summary>
    public string? Status { get; init; }

    public string? Decision { get; init; }

    /// <summary>A command tag the attempt contains, e.g. "DROP TABLE" (case-insensitive).</summary>
    public string? Operation { get; init; }

    /// <summary>A literal substring of the SQL text or the reason (case-insensitive; % and _ are not wildcards).</summary>
    public string? Text { get; init; }

    public DateTimeOffset? From { get; init; }
    public DateTimeOffset? To { get; init; }

    /// <summary>The same filter without its page position, for exports and "first page" links.</summary>
    public AuditFilter WithoutCursor() => this with { Before = null, After = null };
}

/// <summary>One page of audit entries, newest first.</summary>
/// <param name="HasOlder">More entries exist past the last one (an "Older" link makes sense).</param>
/// <param name="HasNewer">The page did not start at the newest matching entry.</param>
public sealed record AuditPage(IReadOnlyList<AuditEntry> Entries, bool HasOlder, bool HasNewer)
{
    public long? OldestId => Entries.Count > 0 ? Entries[^1].Id : null;
    public long? NewestId => Entries.Count > 0 ? Entries[0].Id : null;
}
