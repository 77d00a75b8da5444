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
