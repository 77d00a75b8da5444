using AngleSharp.Dom;
using Bunit;
using Rose.Console.Components.Pages.Agents;

namespace Rose.Console.Tests.Components.Agents;

/// <summary>The Agents page's MCP tool allow-list: every tool, some, none; read-only for configuration agents.</summary>
public sealed class McpToolsEditorTests : ComponentTestContext
{
    private static readonly string[] Catalog = ["sql_execute", "sql_logs", "approval_status"];

    private IRenderedComponent<McpToolsEditor> RenderEditor(IReadOnlyList<string>? allowed, List<IReadOnlyList<string>?> saved, bool readOnly = false) =>
        Render<McpToolsEditor>(p => p
            .Add(e => e.Catalog, Catalog)
            .Add(e => e.Allowed, allowed)
            .Add(e => e.ReadOnly, readOnly)
            .Add(e => e.ReadOnlyNote, "Set in Rose:Agents:x:McpTools.")
            .Add(e => e.OnSave, list => saved.Add(list)));

    private static IElement Box(IRenderedComponent<McpToolsEditor> cut, string label) =>
        cut.FindAll("label").Single(l => l.TextContent.Trim() == label).QuerySelector("input[type=checkbox]")!;

    [Fact]
    public void EveryTool_UntickAllThenOne_SavesTheRestInCatalogOrder()
    {
        var saved = new List<IReadOnlyList<string>?>();
        var cut = RenderEditor(null, saved);
        Assert.True(Box(cut, "sql_execute").HasAttribute("disabled"));

        Box(cut, "Every tool, including tools a later version adds").Change(false);
        Box(cut, "sql_execute").Change(false);
        cut.Find("[data-testid=save-mcp-tools]").Click();

        Assert.Equal(["sql_logs", "approval_status"], Assert.Single(saved));
    }

    [Fact]
    public void SomeTools_TickEvery_SavesNull()
    {
        var saved = new List<IReadOnlyList<string>?>();
        var cut = RenderEditor(["sql_logs"], saved);
        Assert.False(Box(cut, "sql_logs").HasAttribute("disabled"));
        Assert.True(Box(cut, "sql_logs").IsChecked());
        Assert.False(Box(cut, "sql_execute").IsChecked());

        Box(cut, "Every tool, including tools a later version adds").Change(true);
        cut.Find("[data-testid=save-mcp-tools]").Click();

        Assert.Null(Assert.Single(saved));
    }

    [Fact]
    public void NoToolTicked_SaysSoAndSavesAnEmptyList()
    {
        var saved = new List<IReadOnlyList<string>?>();
        var cut = RenderEditor(["sql_logs"], saved);

        Box(cut, "sql_logs").Change(false);

        Assert.Contains("every call is refused", cut.Find("[data-testid=mcp-tools-none]").TextContent, StringComparison.Ordinal);
        cut.Find("[data-testid=save-mcp-tools]").Click();
        Assert.Empty(Assert.Single(saved)!);
    }

    [Fact]
    public void ReadOnly_HasNoSaveButtonAndDisabledBoxes()
    {
        var cut = RenderEditor(["sql_logs"], [], readOnly: true);

        Assert.Empty(cut.FindAll("[data-testid=save-mcp-tools]"));
        Assert.All(cut.FindAll("input[type=checkbox]"), box => Assert.True(box.HasAttribute("disabled")));
        Assert.Contains("Rose:Agents:x:McpTools", cut.Find("[data-testid=mcp-tools-readonly]").TextContent, StringComparison.Ordinal);
    }
}
