using Bunit;
using Rose.Console.Components.Pages.Devlogs;
using Rose.Core.Devlogs;

namespace Rose.Console.Tests.Components.Devlogs;

/// <summary>One devlog as the page shows it: links built by the page, safe markdown, the metadata tree.</summary>
public sealed class DevlogViewTests : ComponentTestContext
{
    private static Devlog Devlog(string content, string metadata = "{}") => new(
        Id: 9, CreatedAt: new DateTimeOffset(2026, 3, 4, 5, 6, 0, TimeSpan.Zero), AuthorId: "alice", AuthorName: "Alice", AuthorKind: "human",
        ServiceId: "billing", LogType: "note", Title: "Backfilled totals", Content: content, Tags: ["backfill", "q1"], MetadataJson: metadata, AuditId: 31,
        Rank: null);

    private static string Link(string? service, string? type, string? tag) => $"devlogs?service={service}&type={type}&tag={tag}";

    [Fact]
    public void Render_Devlog_LinksServiceTypeTagsAndAudit()
    {
        var cut = Render<DevlogView>(p => p.Add(d => d.Devlog, Devlog("**done**")).Add(d => d.Link, Link));

        Assert.Equal("Backfilled totals", cut.Find("h2 a").TextContent);
        Assert.Equal("devlogs?id=9", cut.Find("h2 a").GetAttribute("href"));
        Assert.Contains(cut.FindAll("a"), a => a.GetAttribute("href") == "devlogs?service=billing&type=&tag=");
        Assert.Equal(["backfill", "q1"], cut.FindAll("[data-testid=devlog-tag]").Select(t => t.TextContent.Trim()));
        Assert.Equal("audit?detail=31&before=32", cut.Find("[data-testid=devlog-audit]").GetAttribute("href"));
        Assert.Equal("done", cut.Find(".devlog-content strong").TextContent);
    }

    [Fact]
    public void Render_RawHtmlInMarkdown_IsNotMarkup()
    {
        var cut = Render<DevlogView>(p => p.Add(d => d.Devlog, Devlog("<script>alert(1)</script> [x](javascript:alert(1))")).Add(d => d.Link, Link));

        Assert.Empty(cut.FindAll(".devlog-content script"));
        Assert.DoesNotContain(cut.FindAll(".devlog-content a"), a => (a.GetAttribute("href") ?? "").StartsWith("javascript:", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void Render_Metadata_ShowsATreeOpenWhenAsked()
    {
        var cut = Render<DevlogView>(p => p.Add(d => d.Devlog, Devlog("x", """{"validation": {"verified": true, "post_count": 3}}""")).Add(d => d.Link, Link)
            .Add(d => d.ExpandMetadata, true));

        Assert.True(cut.Find("details.devlog-meta").HasAttribute("open"));
        Assert.Equal(["validation", "verified", "post_count"], cut.FindAll(".meta-key").Select(k => k.TextContent));
        Assert.Equal("true", cut.Find(".meta-bool").TextContent);
    }

    [Fact]
    public void Render_EmptyMetadata_ShowsNoTree()
    {
        var cut = Render<DevlogView>(p => p.Add(d => d.Devlog, Devlog("x")).Add(d => d.Link, Link));

        Assert.Empty(cut.FindAll("details.devlog-meta"));
    }
}
