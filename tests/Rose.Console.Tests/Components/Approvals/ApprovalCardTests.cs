using Bunit;
using Microsoft.AspNetCore.Components;
using MudBlazor;
using Rose.Console.Components.Pages.Approvals;
using Rose.Core.Approvals;

namespace Rose.Console.Tests.Components.Approvals;

/// <summary>The approval card: the risk at a glance, and Approve/Reject confirmed with a comment in a dialog.</summary>
public sealed class ApprovalCardTests : ComponentTestContext
{
    private const string Preview = """
        {"statements": [
          {"index": 0, "tag": "DELETE", "lock": "ROW EXCLUSIVE", "rows_affected": 40, "objects": [{"name": "public.widgets", "kind": "table", "rows_estimate": 50, "size": "8 kB", "dependents": []}]},
          {"index": 1, "tag": "DROP TABLE", "lock": "ACCESS EXCLUSIVE", "rows_affected": 2, "objects": [{"name": "public.old", "kind": "table", "rows_estimate": 2, "size": "8 kB", "dependents": ["public.old_view"]}]}
        ]}
        """;

    private static ApprovalRequest Request(string status = ApprovalStatus.Pending) => new(
        Id: 41, CreatedAt: DateTimeOffset.UtcNow.AddMinutes(-5), ExpiresAt: DateTimeOffset.UtcNow.AddHours(1), RequesterId: "bot", RequesterName: "Bot",
        RequesterKind: "agent", Channel: "api", Database: "demo", Reason: null, Sql: "DELETE FROM widgets WHERE id < 41; DROP TABLE old", SqlHash: "h",
        Operations: ["DELETE", "DROP TABLE"], PolicyReasons: ["DROP requires approval"], PreviewJson: Preview, Status: status,
        DecidedBy: null, DecidedByName: null, DecidedAt: null, DecisionComment: null, RequestAuditId: null, ExecutionAuditId: null,
        ResultJson: null, PolicyJson: null, TargetSnapshotJson: null);

    private IRenderedComponent<IComponent> RenderCard(ApprovalRequest request, bool canDecide, string? whyNot, List<(string Action, string? Comment)> calls) =>
        Render(b =>
        {
            b.OpenComponent<MudDialogProvider>(0);
            b.CloseComponent();
            b.OpenComponent<ApprovalCard>(1);
            b.AddAttribute(2, nameof(ApprovalCard.Request), request);
            b.AddAttribute(3, nameof(ApprovalCard.CanDecide), canDecide);
            b.AddAttribute(4, nameof(ApprovalCard.WhyNot), whyNot);
            b.AddAttribute(5, nameof(ApprovalCard.OnApprove), EventCallback.Factory.Create<string?>(this, c => calls.Add(("approve", c))));
            b.AddAttribute(6, nameof(ApprovalCard.OnReject), EventCallback.Factory.Create<string?>(this, c => calls.Add(("reject", c))));
            b.CloseComponent();
        }) is var cut ? (IRenderedComponent<IComponent>)cut : throw new InvalidOperationException();

    [Fact]
    public void Render_Preview_SummarisesRowsStrongestLockAndDependents()
    {
        var cut = RenderCard(Request(), true, null, []);

        Assert.Equal("42", cut.Find("[data-testid=risk-rows]").TextContent);
        Assert.Equal("ACCESS EXCLUSIVE · blocks reads", cut.Find("[data-testid=risk-lock]").TextContent);
        Assert.Equal("public.old_view", cut.Find("[data-testid=risk-dependents]").TextContent);
        Assert.Contains("ACCESS EXCLUSIVE", cut.Find("[data-testid=approval-preview]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Approve_ConfirmWithComment_CallsBackWithTheComment()
    {
        var calls = new List<(string, string?)>();
        var cut = RenderCard(Request(), true, null, calls);

        cut.Find("[data-testid=approve]").Click();
        cut.WaitForElement("[data-testid=decision-dialog]");
        cut.Find("[data-testid=approval-comment]").Input("  ok to drop ");
        cut.Find("[data-testid=decision-confirm]").Click();

        cut.WaitForAssertion(() => Assert.Equal([("approve", (string?)"ok to drop")], calls));
    }

    [Fact]
    public void Reject_WithoutComment_CallsBackWithNull()
    {
        var calls = new List<(string, string?)>();
        var cut = RenderCard(Request(), true, null, calls);

        cut.Find("[data-testid=reject]").Click();
        cut.WaitForElement("[data-testid=decision-confirm]").Click();

        cut.WaitForAssertion(() => Assert.Equal([("reject", (string?)null)], calls));
    }

    [Fact]
    public void Approve_Cancel_DecidesNothing()
    {
        var calls = new List<(string, string?)>();
        var cut = RenderCard(Request(), true, null, calls);

        cut.Find("[data-testid=approve]").Click();
        cut.WaitForElement("[data-testid=decision-cancel]").Click();

        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=decision-dialog]")));
        Assert.Empty(calls);
    }

    [Fact]
    public void Render_CannotDecide_ShowsWhyAndNoButtons()
    {
        var cut = RenderCard(Request(), false, "You cannot decide your own request.", []);

        Assert.Equal("You cannot decide your own request.", cut.Find("[data-testid=cannot-decide]").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=approve]"));
    }

    [Fact]
    public void Render_Executed_ShowsNoActions()
    {
        var cut = RenderCard(Request(ApprovalStatus.Executed), true, null, []);

        Assert.Equal("executed", cut.Find("[data-testid=approval-status]").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=approve]"));
    }

    [Fact]
    public void Risk_ErrorPreview_IsReportedNotSummed()
    {
        var risk = ApprovalRisk.From("""{"error": "target unreachable"}""");

        Assert.NotNull(risk);
        Assert.Equal("target unreachable", risk.Error);
        Assert.Null(risk.RowsAffected);
    }

    [Fact]
    public void Risk_ShareLockAndRowExclusive_PicksShare()
    {
        var risk = ApprovalRisk.From("""{"statements": [{"lock": "ROW EXCLUSIVE", "rows_affected": 1}, {"lock": "SHARE (blocks writes for the whole build)"}]}""")!;

        Assert.Equal("SHARE (blocks writes for the whole build)", risk.StrongestLock);
        Assert.True(risk.RowsUnknown);
        Assert.False(risk.BlocksReads);
    }
}
