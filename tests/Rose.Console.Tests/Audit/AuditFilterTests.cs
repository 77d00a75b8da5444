using Rose.Console.Components.Pages.Audit;
using Rose.Core.Audit;
using Rose.Core.Identity;
using Rose.Core.Policy;

namespace Rose.Console.Tests.Audit;

/// <summary>Every audit filter, as the page reads it from the URL, returns exactly the matching rows.</summary>
[Collection("postgres")]
public sealed class AuditFilterTests(PostgresServerFixture pg) : HostTest(pg)
{
    private readonly Dictionary<string, long> ids = [];

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var s = App.Services;
        ids["a"] = await AuditSeed.AddAsync(s, "SELECT * FROM orders", "daily report", database: "demo", executor: "alice");
        ids["b"] = await AuditSeed.AddAsync(s, "DROP TABLE old_orders", "cleanup 50% of space", database: "demo", executor: "rose",
            kind: ActorKind.Agent, operations: ["DROP TABLE"], decision: Decision.Approval, status: AuditStatus.PendingApproval);
        ids["c"] = await AuditSeed.AddAsync(s, "UPDATE users SET name = 'x'", null, database: "billing", executor: "rose",
            kind: ActorKind.Agent, channel: Channel.Mcp, operations: ["UPDATE"], status: AuditStatus.Failed, error: "no such table");
        ids["d"] = await AuditSeed.AddAsync(s, "CREATE FUNCTION f() RETURNS int AS 'SELECT 1' LANGUAGE sql", "try it", database: "billing",
            executor: "bob", channel: Channel.Workbench, operations: ["CREATE FUNCTION"], decision: Decision.Deny, status: AuditStatus.Denied);
        ids["e"] = await AuditSeed.AddAsync(s, "WITH d AS (DELETE FROM t RETURNING *) SELECT count(*) FROM d", "report_x", database: "demo",
            executor: "rose:migrations", kind: ActorKind.System, channel: Channel.Migration, operations: ["SELECT", "DELETE"], status: null);
    }

    public static TheoryData<string, string[]> Cases => new()
    {
        { "", ["a", "b", "c", "d", "e"] },
        { "?database=billing", ["c", "d"] },
        { "?executor=rose", ["b", "c"] },
        { "?kind=agent", ["b", "c"] },
        { "?kind=system", ["e"] },
        { "?channel=mcp", ["c"] },
        { "?channel=migration", ["e"] },
        { "?operation=drop%20table", ["b"] },
        { "?operation=DELETE", ["e"] },
        { "?operation=SELECT", ["a", "e"] },
        { "?decision=deny", ["d"] },
        { "?decision=approval", ["b"] },
        { "?status=failed", ["c"] },
        { "?status=pending_approval", ["b"] },
        { "?status=running", ["e"] },
        { "?status=succeeded", ["a"] },
        { "?q=ORDERS", ["a", "b"] },
        { "?q=50%25", ["b"] }, // % is a literal character, not a wildcard
        { "?q=report_", ["e"] }, // _ too: "daily report" does not match
        { "?q=try", ["d"] },
        { "?database=demo&kind=agent", ["b"] },
        { "?database=demo&status=succeeded&q=orders", ["a"] },
        { "?database=nowhere", [] },
        { "?from=2000-01-01T00:00&to=2100-01-01T00:00", ["a", "b", "c", "d", "e"] },
        { "?to=2000-01-01T00:00", [] },
    };

    // One host for the whole table: a host per case would hold a connection pool each.
    [Fact]
    public async Task PageAsync_FilterFromUrl_ReturnsExactlyTheMatchingRows()
    {
        var reader = App.Services.GetRequiredService<AuditReader>();
        foreach (var row in Cases)
        {
            var (query, expected) = ((string)row[0], (string[])row[1]);
            var filter = AuditQueryString.Parse("/audit" + query) with { Limit = 1000 };

            var page = await reader.PageAsync(filter, CancellationToken.None);
            // The host's start-up wrote its configured agent as an admin row before the seeds; only the seeds are the subject.
            var got = page.Entries.Where(e => e.Id >= ids["a"]).Select(e => e.Id).ToList();

            Assert.True(expected.Select(k => ids[k]).OrderDescending().SequenceEqual(got),
                $"filter '{query}': expected [{string.Join(",", expected)}], got ids [{string.Join(",", got)}] of {string.Join(",", ids.Select(p => p.Key + "=" + p.Value))}");
        }
    }

    [Fact]
    public void Url_RoundTrip_KeepsEveryFilter()
    {
        var filter = new AuditFilter
        {
            Database = "d b", Executor = "x&y", ExecutorKind = "agent", Channel = "api", Operation = "DROP TABLE", Decision = "deny",
            Status = "failed", Text = "a=b&c", From = new DateTimeOffset(2024, 5, 1, 10, 0, 0, TimeSpan.Zero),
            To = new DateTimeOffset(2024, 5, 2, 10, 0, 0, TimeSpan.Zero), Before = 99,
        };

        var parsed = AuditQueryString.Parse(AuditQueryString.Url("/audit", filter));

        Assert.Equal(filter, parsed);
    }
}
