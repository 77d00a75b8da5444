using Bunit;
using MudBlazor;
using Rose.Console.Components.Pages.Audit;
using Rose.Core.Audit;

namespace Rose.Console.Tests.Components.Audit;

/// <summary>The audit filter bar: active filters as chips, removing one, clearing all, and the edit panel.</summary>
public sealed class AuditFiltersTests : ComponentTestContext
{
    private static readonly AuditFilter Filter = new() { Database = "demo", Status = "failed", Before = 99, Limit = 25 };

    private (IRenderedComponent<AuditFilters> Cut, List<AuditFilter> Changes) RenderFilters(AuditFilter filter)
    {
        Render<MudPopoverProvider>();
        var changes = new List<AuditFilter>();
        var cut = Render<AuditFilters>(p => p.Add(f => f.Filter, filter).Add(f => f.OnChange, (AuditFilter f) => changes.Add(f)));
        return (cut, changes);
    }

    [Fact]
    public void Render_ActiveFilters_ShowOneChipEach()
    {
        var (cut, _) = RenderFilters(Filter);

        var chips = cut.FindAll("[data-testid=audit-chip]").Select(c => c.GetAttribute("data-key")).ToList();
        Assert.Equal(["database", "status"], chips);
        Assert.Contains("database: demo", cut.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void ChipClose_Status_ChangesToTheFilterWithoutItAndWithoutCursor()
    {
        var (cut, changes) = RenderFilters(Filter);

        cut.Find("[data-key=status] .mud-chip-close-button").Click();

        var next = Assert.Single(changes);
        Assert.Null(next.Status);
        Assert.Equal("demo", next.Database);
        Assert.Null(next.Before);
        Assert.Equal(25, next.Limit);
    }

    [Fact]
    public void ClearAll_Click_KeepsOnlyThePageSize()
    {
        var (cut, changes) = RenderFilters(Filter);

        cut.Find("[data-testid=audit-clear]").Click();

        Assert.Equal(new AuditFilter { Limit = 25 }, Assert.Single(changes));
    }

    [Fact]
    public void Panel_TypeTextAndApply_ChangesToTheEditedFilter()
    {
        var (cut, changes) = RenderFilters(new AuditFilter());
        Assert.Empty(cut.FindAll("[data-testid=audit-chip]"));

        cut.Find("[data-testid=audit-filter-toggle]").Click();
        cut.Find("[data-testid=audit-text]").Change("drop table");
        cut.Find("[data-testid=audit-apply]").Click();

        var next = Assert.Single(changes);
        Assert.Equal("drop table", next.Text);
        Assert.Empty(cut.FindAll("[data-testid=audit-filter-panel]"));
    }

    [Fact]
    public void ChipsOf_TimesAndText_AreLabelledInUtc()
    {
        var chips = AuditFilters.ChipsOf(new AuditFilter { From = new DateTimeOffset(2026, 1, 2, 3, 4, 0, TimeSpan.Zero), Text = "x" });

        Assert.Equal(["from: 2026-01-02 03:04", "text: x"], chips.Select(c => c.Label));
    }
}
