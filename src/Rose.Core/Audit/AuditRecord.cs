namespace Rose.Core.Audit;

/// <summary>What is known about an execution attempt before anything runs.</summary>
public sealed record AuditAttempt(
    Actor Executor,
    Channel Channel,
    string Database,
    string? Reason,
    string Sql,
    IReadOnlyList<string> Operations,
    Decision Decision,
    IReadOnlyList<string> DecisionReasons,
    long? ApprovalId = null,
    string? ApprovedBy = null,
    long? TargetXid = null);

/// <summary>Final statuses of an attempt.</summary>
public static class AuditStatus
{
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Denied = "denied";
    public const string PendingApproval = "pending_approval";
    public const string Cancelled = "cancelled";
    public const string Running = "running";

    /// <summary>Recovery could not tell whether the attempt's work committed (no transaction id, or the target forgot it).</summary>
    public const string Unknown = "unknown";
}

/// <summary>How an attempt ended.</summary>
public sealed record AuditOutcome(
    string Status,
    long? RowsAffected = null,
    double? DurationMs = null,
    string? ErrorSqlState = null,
    string? ErrorMessage = null,
    string? StatementsJson = null,
    bool Recovered = false);

/// <summary>An audit entry as read back: the attempt and its outcome.</summary>
public sealed record AuditEntry : AuditAttemptRow
{
    public required string Status { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public long? RowsAffected { get; init; }
    public double? DurationMs { get; init; }
    public string? ErrorSqlState { get; init; }
    public string? ErrorMessage { get; init; }
    public string? StatementsJson { get; init; }

    /// <summary>The outcome was written by crash recovery (pg_xact_status on the target), not by the run itself.</summary>
    public bool Recovered { get; init; }
}

/// <summary>The result of walking the hash chain.</summary>
/// <param name="Unfinished">
/// Attempts in the range, older than the verifier's grace period, that have no outcome. Outcomes are
/// bound to their attempt's hash but not chained, so a deleted outcome row cannot break the chain; it
/// shows here instead, beside attempts whose process died mid-execution.
/// </param>
public sealed record AuditChainReport(bool Valid, long RowsChecked, long? FirstBrokenId, string? Problem, long Unfinished = 0, long? FirstUnfinishedId = null);

/// <summary>Raised when the audit row cannot be written: the statement must not run.</summary>
public sealed class AuditUnavailableException(string message, Exception inner) : Exception(message, inner);
