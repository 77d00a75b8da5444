using Bunit;
using Rose.Console.Components.Pages.Audit;
using Rose.Core.Audit;

namespace Rose.Console.Tests.Components.Audit;

/// <summary>The audit detail drawer: the full SQL highlighted, links onward, hostile text inert.</summary>
public sealed class AuditDetailTests : ComponentTestContext
{
    private static AuditEntry Entry(string sql, string? reason = null) => new()
    {
        Id = 7, ExecutorId = "bot", ExecutorName = "Bot", ExecutorKind = "agent", Provider = "api-key", Channel = "api", Database = "demo",
        Sql = sql, SqlLength = sql.Length, SqlHash = "ab", Decision = "approval", Status = "pending_approval", Reason = reason,
        Operations = ["DROP TABLE"],
    };

    [Fact]
    public void Render_Entry_HighlightsTheWholeSqlAndLinksTheParkedApproval()
    {
        var sql = "DROP TABLE widgets; -- " + new string('x', 300);
        var cut = Render<AuditDetail>(p => p.Add(d => d.Entry, Entry(sql)).Add(d => d.ParkedApprovalId, 3L)
            .Add(d => d.Devlogs, [(5L, "why")]).Add(d => d.CloseUrl, "audit?database=demo"));

        Assert.Equal("DROP", cut.Find("[data-testid=audit-sql] .rose-sql-k").TextContent);
        Assert.Contains(new string('x', 300), cut.Find("[data-testid=audit-sql]").TextContent, StringComparison.Ordinal);
        Assert.Equal("approvals/3", cut.Find("[data-testid=audit-approval-link]").GetAttribute("href"));
        Assert.Equal("audit?database=demo", cut.Find("[data-testid=audit-detail-close]").GetAttribute("href"));
        Assert.Contains("devlogs?id=5", cut.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_HostileReasonAndSql_AreText()
    {
        var cut = Render<AuditDetail>(p => p.Add(d => d.Entry, Entry("SELECT '<script>alert(1)</script>'", "<img src=x onerror=alert(1)>")).Add(d => d.CloseUrl, "audit"));

        Assert.Empty(cut.FindAll("script"));
        Assert.Empty(cut.FindAll("img"));
        Assert.Contains("<img src=x onerror=alert(1)>", cut.Find(".audit-reason").TextContent, StringComparison.Ordinal);
    }
}
