using Rose.Core.Audit;
using Rose.Core.Control;

namespace Rose.Console.Tests.Audit;

/// <summary>
/// /audit through the real host: inert hostile text, stable paging, CSV export. One host for the class: each
/// test reads the rows it seeded (its own ids, its own database names); the chain check, which alters a row
/// and counts every row before it, has a host of its own (<see cref="AuditVerifyTests"/>).
/// </summary>
[Collection("postgres")]
public sealed class AuditBrowserTests(PostgresServerFixture pg, SharedRoseApp shared) : SharedHostTest(pg, shared)
{
    public static TheoryData<string, string> Payloads => new()
    {
        { "<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;" },
        { "<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;" },
        { "</code></pre><svg onload=alert(1)>", "&lt;/code&gt;&lt;/pre&gt;&lt;svg onload=alert(1)&gt;" },
    };

    [Fact]
    public async Task AuditPage_HostileSqlReasonAndError_AreShownInert()
    {
        using var dave = await App.ClientAsync("dave");
        foreach (var row in Payloads)
        {
            var (payload, encoded) = ((string)row[0], (string)row[1]);
            var id = await AuditSeed.AddAsync(App.Services, $"SELECT 1 -- {payload}\n/* {payload} */ FROM t", reason: payload,
                status: AuditStatus.Failed, error: payload, reasons: [payload]);

            var list = await dave.GetStringAsync("/audit");
            var detail = await dave.GetStringAsync($"/audit?detail={id}");

            foreach (var html in new[] { list, detail })
            {
                Assert.DoesNotContain(payload, html, StringComparison.Ordinal);
                Assert.Contains(encoded, html, StringComparison.Ordinal);
            }

            Assert.Contains("data-testid=\"audit-detail\"", detail, StringComparison.Ordinal);
            Assert.Contains("<span class=\"rose-sql-k\">SELECT</span>", detail, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AuditPage_JavascriptUrlInReason_IsNeverALink()
    {
        var id = await AuditSeed.AddAsync(App.Services, "SELECT 'javascript:alert(1)'", reason: "[x](javascript:alert(1)) javascript:alert(1)");
        using var dave = await App.ClientAsync("dave");

        var html = await dave.GetStringAsync($"/audit?detail={id}");

        Assert.DoesNotContain("href=\"javascript:", html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task PageAsync_WalkingOlderPagesWhileRowsArrive_NeitherSkipsNorRepeats()
    {
        var start = new List<long>();
        for (var i = 0; i < 130; i++)
        {
            start.Add(await AuditSeed.AddAsync(App.Services, $"SELECT {i}", database: i % 3 == 0 ? "demo" : "other"));
        }

        var reader = App.Services.GetRequiredService<AuditReader>();
        using var stop = new CancellationTokenSource();
        var inserted = 0;
        var writer = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await AuditSeed.AddAsync(App.Services, "SELECT 'late'", database: inserted % 2 == 0 ? "demo" : "other");
                inserted++;
            }
        });

        foreach (var database in new string?[] { null, "demo" })
        {
            var seen = new List<long>();
            var filter = new AuditFilter { Limit = 7, Database = database };
            var page = await reader.PageAsync(filter, CancellationToken.None);
            var firstNewest = page.NewestId;
            seen.AddRange(page.Entries.Select(e => e.Id));
            while (page.HasOlder)
            {
                await Task.Delay(5);
                page = await reader.PageAsync(filter with { Before = page.OldestId }, CancellationToken.None);
                seen.AddRange(page.Entries.Select(e => e.Id));
            }

            // Everything that existed when the walk began, exactly once, in order.
            var expected = start.Where(id => database is null || (start.IndexOf(id) % 3 == 0)).ToList();
            // Rows from before the test (the start-up configuration's admin row) are not the walk's subject.
            var walked = seen.Where(id => id >= start[0] && id <= start[^1]).ToList();
            Assert.Equal(seen.Count, seen.Distinct().Count());
            Assert.Equal(expected.OrderDescending(), walked);
            Assert.True(seen.All(id => id <= firstNewest), "an older page returned a row newer than the first page");
        }

        await stop.CancelAsync();
        await writer;
        Assert.True(inserted > 0, "the concurrent writer never inserted a row");
    }

    [Fact]
    public async Task PageAsync_NewerFromAnOlderPage_ReturnsThePreviousPage()
    {
        for (var i = 0; i < 12; i++)
        {
            await AuditSeed.AddAsync(App.Services, $"SELECT {i}");
        }

        var reader = App.Services.GetRequiredService<AuditReader>();
        var first = await reader.PageAsync(new AuditFilter { Limit = 5 }, CancellationToken.None);
        var second = await reader.PageAsync(new AuditFilter { Limit = 5, Before = first.OldestId }, CancellationToken.None);

        var back = await reader.PageAsync(new AuditFilter { Limit = 5, After = second.NewestId }, CancellationToken.None);

        Assert.Equal(first.Entries.Select(e => e.Id), back.Entries.Select(e => e.Id));
        Assert.False(back.HasNewer);
        Assert.True(second.HasNewer && second.HasOlder);
    }

    [Fact]
    public async Task Export_FilteredSet_IsRfc4180CsvOfExactlyThoseRows()
    {
        var tricky = "SELECT 'a,b', \"q\"\"x\"\r\nFROM t";
        var a = await AuditSeed.AddAsync(App.Services, tricky, reason: "=HYPERLINK(\"http://evil\")", database: "csvdb");
        await AuditSeed.AddAsync(App.Services, "SELECT 2", database: "elsewhere");
        var c = await AuditSeed.AddAsync(App.Services, "SELECT 3", reason: null, database: "csvdb");
        using var dave = await App.ClientAsync("dave");

        var response = await dave.GetAsync("/audit/export?database=csvdb");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/csv", response.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        var rows = Csv.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(AuditCsvHeader, rows[0]);
        Assert.Equal([c.ToString(), a.ToString()], rows.Skip(1).Select(r => r[0]));
        var sqlColumn = Array.IndexOf(AuditCsvHeader, "sql");
        var reasonColumn = Array.IndexOf(AuditCsvHeader, "reason");
        Assert.Equal(tricky, rows[2][sqlColumn]);
        Assert.Equal("'=HYPERLINK(\"http://evil\")", rows[2][reasonColumn]); // formula neutralised
    }

    [Fact]
    public async Task Export_Anonymous_IsNotServed()
    {
        using var anonymous = await App.ClientAsync();

        var response = await anonymous.GetAsync("/audit/export");

        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
    }

    private static readonly string[] AuditCsvHeader = Rose.Core.Export.AuditCsv.Header;
}
