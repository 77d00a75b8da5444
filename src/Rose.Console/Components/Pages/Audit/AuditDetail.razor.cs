namespace Rose.Console.Components.Pages.Audit;

/// <summary>The detail drawer of one audit entry: everything recorded about it, and where it leads.</summary>
public partial class AuditDetail
{
    [Parameter, EditorRequired] public AuditEntry Entry { get; set; } = default!;

    /// <summary>The approval request this entry parked (its own row carries no approval id).</summary>
    [Parameter] public long? ParkedApprovalId { get; set; }

    [Parameter] public IReadOnlyList<(long Id, string Title)> Devlogs { get; set; } = [];

    [Parameter, EditorRequired] public string CloseUrl { get; set; } = "audit";

    /// <summary>What the page adds under the entry (the rollback panel), kept out so the drawer needs no services.</summary>
    [Parameter] public RenderFragment? ChildContent { get; set; }

    /// <summary>An approved execution links to the request it ran; a parked attempt to the request it created.</summary>
    private long? ApprovalLink => Entry.ApprovalId ?? ParkedApprovalId;
}
