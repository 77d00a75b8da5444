namespace Rose.Core.Approvals;

/// <summary>What is parked: the exact SQL and everything an approver needs to judge it.</summary>
public sealed record ApprovalDraft(
    Actor Requester,
    Channel Channel,
    string Database,
    string? Reason,
    string Sql,
    IReadOnlyList<string> Operations,
    IReadOnlyList<string> PolicyReasons,
    long RequestAuditId,
    TimeSpan ExpiresAfter,
    SqlPolicy Policy);

/// <summary>
/// A stored approval request, as ApprovalStore reads it: positional, so the row reader binds every
/// column by name and order and a column the SELECT misses is an error instead of a silently empty member.
/// </summary>
public sealed record ApprovalRequest(
    long Id,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    string RequesterId,
    string RequesterName,
    string RequesterKind,
    string Channel,
    string Database,
    string? Reason,
    string Sql,
    string SqlHash,
    IReadOnlyList<string> Operations,
    IReadOnlyList<string> PolicyReasons,
    string? PreviewJson,
    string Status,
    string? DecidedBy,
    string? DecidedByName,
    DateTimeOffset? DecidedAt,
    string? DecisionComment,
    long? RequestAuditId,
    long? ExecutionAuditId,
    string? ResultJson,
    string? PolicyJson,
    string? TargetSnapshotJson)
{
    /// <summary>Who parked the request, as the identity its approved run executes as.</summary>
    public Actor Requester() =>
        new(RequesterId, RequesterName, RequesterKind == "agent" ? ActorKind.Agent : ActorKind.Human, "approval");

    /// <summary>Pending but past its expiry: it can no longer be approved.</summary>
    public bool IsExpired(DateTimeOffset now) => Status == ApprovalStatus.Pending && ExpiresAt <= now;
}

/// <summary>Filters for listing approval requests.</summary>
public sealed record ApprovalFilter
{
    public string? Status { get; init; }
    public string? Database { get; init; }
    public string? Requester { get; init; }

    /// <summary>True: pending only; false: decided only; null: both.</summary>
    public bool? Pending { get; init; }

    public int Limit { get; init; } = 100;
}
