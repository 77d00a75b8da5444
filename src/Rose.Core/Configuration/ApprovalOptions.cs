namespace Rose.Core.Configuration;

public sealed class ApprovalOptions
{
    public int ExpiryHours { get; set; } = 24;
}
