namespace Rose.Core.Devlogs;

/// <summary>Log types Rose itself writes; people and agents may use their own.</summary>
public static class DevlogTypes
{
    public const string Approval = "approval";
    public const string Migration = "migration";
}

/// <summary>A devlog to store. Metadata is a JSON object (the seed's intent, sql, validation, ...).</summary>
public sealed record DevlogDraft(
    Actor Author,
    string ServiceId,
    string LogType,
    string Title,
    string Content,
    IReadOnlyList<string> Tags,
    string MetadataJson = "{}",
    long? AuditId = null);

/// <summary>
/// A stored devlog, as DevlogStore reads it: positional, so the row reader binds every column by name
/// and order and a column the SELECT misses is an error instead of a silently empty member.
/// </summary>
/// <param name="Rank">Search rank (ts_rank); null except in a search's results.</param>
public sealed record Devlog(
    long Id,
    DateTimeOffset CreatedAt,
    string AuthorId,
    string AuthorName,
    string AuthorKind,
    string ServiceId,
    string LogType,
    string Title,
    string Content,
    IReadOnlyList<string> Tags,
    string MetadataJson,
    long? AuditId,
    float? Rank);

/// <summary>List filters. Paging is keyset on id, newest first: pass the last id seen as Before.</summary>
public sealed record DevlogFilter
{
    public const int MaxLimit = 200;

    public int Limit { get; init; } = 50;
    public long? Before { get; init; }
    public string? ServiceId { get; init; }
    public string? LogType { get; init; }

    /// <summary>Every one of these tags must be present.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    public DateTimeOffset? From { get; init; }
    public DateTimeOffset? To { get; init; }
    public long? AuditId { get; init; }
}
