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

/// <summary>A stored devlog.</summary>
public sealed record Devlog
{
    public long Id { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public required string AuthorId { get; init; }
    public required string AuthorName { get; init; }
    public required string AuthorKind { get; init; }
    public required string ServiceId { get; init; }
    public required string LogType { get; init; }
    public required string Title { get; init; }
    public required string Content { get; init; }
    public IReadOnlyList<string> Tags { get; init; } = [];
    public required string MetadataJson { get; init; }
    public long? AuditId { get; init; }

    /// <summary>Search rank (ts_rank); only set by a search.</summary>
    public float? Rank { get; init; }
}

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
