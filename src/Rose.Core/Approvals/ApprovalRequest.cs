namespace Rose.Core.Approvals;

/// <summary>Statuses an approval request moves through.</summary>
public static class ApprovalStatus
{
    public const string Pending = "pending";
    public const string Approved = "approved";
    public const string Rejected = "rejected";
    public const string Expired = "expired";
    public const string Executing = "executing";
    public const string Executed = "executed";
    public const string Failed = "failed";
}

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

/// <summary>A stored approval request.</summary>
public sealed record ApprovalRequest
{
    public long Id { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset ExpiresAt { get; init; }
    public required string RequesterId { get; init; }
    public required string RequesterName { get; init; }
    public required string RequesterKind { get; init; }
    public required string Channel { get; init; }
    public required string Database { get; init; }
    public string? Reason { get; init; }
    public required string Sql { get; init; }
    public required string SqlHash { get; init; }
    public IReadOnlyList<string> Operations { get; init; } = [];
    public IReadOnlyList<string> PolicyReasons { get; init; } = [];
    public string? PreviewJson { get; init; }
    public required string Status { get; init; }
    public string? DecidedBy { get; init; }
    public string? DecidedByName { get; init; }
    public DateTimeOffset? DecidedAt { get; init; }
    public string? DecisionComment { get; init; }
    public long? RequestAuditId { get; init; }
    public long? ExecutionAuditId { get; init; }
    public string? ResultJson { get; init; }
    public string? PolicyJson { get; init; }
    public string? TargetSnapshotJson { get; init; }

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
