using Bunit;
using Rose.Console.Components.Pages.Home;
using Rose.Core.Audit;
using Rose.Core.Targets;
using Rose.Core.Validation;
using Rose.Core.Validation.Storage;

namespace Rose.Console.Tests.Components.Home;

/// <summary>The home page's per-target card and the audit chain badge: figures and where they lead.</summary>
public sealed class TargetCardTests : ComponentTestContext
{
    private static readonly TargetDefinition Demo = new() { Name = "demo", ConnectionString = "Host=127.0.0.1", Environment = TargetEnvironment.Dev };

    [Fact]
    public void Render_Overview_LinksEachFigureToItsFilteredPage()
    {
        var since = new DateTimeOffset(2026, 5, 6, 7, 8, 0, TimeSpan.Zero);
        var run = new ValidationRun(1, "demo", since, since.AddMinutes(1), "alice", "succeeded", null, null, null, since);
        var overview = new TargetOverview(Demo, 2, 3, false, run, new ValidationSummary(5, 1, 2, 0, 4), null);

        var cut = Render<TargetCard>(p => p.Add(c => c.Overview, overview).Add(c => c.Since, since));

        Assert.Equal("approvals?database=demo", cut.Find("[data-testid=tile-approvals]").GetAttribute("href"));
        Assert.Contains("2", cut.Find("[data-testid=tile-approvals] .rose-tile-value").TextContent, StringComparison.Ordinal);
        Assert.Equal("audit?database=demo&status=failed&from=2026-05-06T07%3A08", cut.Find("[data-testid=tile-failed]").GetAttribute("href"));
        Assert.Contains("rose-tile-bad", cut.Find("[data-testid=tile-validation]").ClassName, StringComparison.Ordinal);
        Assert.Equal("fail", cut.Find("[data-testid=tile-validation] .rose-tile-value").TextContent);
        Assert.Equal("none", cut.Find("[data-testid=tile-migration] .rose-tile-value").TextContent);
    }

    [Fact]
    public void Render_NeverValidated_SaysSo()
    {
        var cut = Render<TargetCard>(p => p.Add(c => c.Overview, new TargetOverview(Demo, 0, 0, false, null, null, null)));

        Assert.Equal("never", cut.Find("[data-testid=tile-validation] .rose-tile-value").TextContent);
        Assert.DoesNotContain("rose-tile-warn", cut.Find("[data-testid=tile-approvals]").ClassName, StringComparison.Ordinal);
    }

    [Fact]
    public void ChainStatus_Broken_LinksTheFirstBrokenRow()
    {
        var cut = Render<ChainStatus>(p => p.Add(c => c.Chain, new ChainOverview(new AuditChainReport(false, 10, 11, "hash mismatch"), 1, 20, null)));

        Assert.Contains("broken", cut.Find("[data-testid=chain-status]").TextContent, StringComparison.Ordinal);
        Assert.Equal("audit?detail=11&before=12", cut.Find("[data-testid=chain-status] a").GetAttribute("href"));
    }

    [Fact]
    public void ChainStatus_Valid_ShowsTheRangeChecked()
    {
        var cut = Render<ChainStatus>(p => p.Add(c => c.Chain, new ChainOverview(new AuditChainReport(true, 20, null, null), 1, 20, null)));

        Assert.Contains("valid over #1–#20", cut.Find("[data-testid=chain-status]").TextContent, StringComparison.Ordinal);
    }
}
