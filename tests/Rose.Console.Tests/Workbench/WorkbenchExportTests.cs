using System.Text.RegularExpressions;
using Rose.Console.Components.Pages.Workbench;
using Rose.Core.Export;

namespace Rose.Console.Tests.Workbench;

/// <summary>
/// The workbench CSV export of one chosen result set of a batch, over the real host, pipeline and
/// target: the form post scripts use and the one-time token link the page uses. One host for the class: the
/// tests only read the seeded widgets and count audit rows by a marker of their own.
/// </summary>
[Collection("postgres")]
public sealed partial class WorkbenchExportTests(PostgresServerFixture pg, SharedRoseApp shared) : SharedHostTest(pg, shared)
{
    private const string TwoResults =
        "SELECT id, name FROM widgets WHERE id <= 2 ORDER BY id; SELECT id, price FROM widgets WHERE id IN (3, 4) ORDER BY id";

    private HttpClient alice = null!;
    private string antiforgery = string.Empty;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        alice = await App.ClientAsync("alice");
        // Every console page carries the antiforgery token (the sign-out form); the form post needs it.
        var html = await alice.GetStringAsync("/workbench");
        antiforgery = AntiforgeryInput().Match(html) is { Success: true } m ? WebUtility.HtmlDecode(m.Groups["value"].Value)
            : throw new InvalidOperationException("No antiforgery token on /workbench.");
    }

    public override async Task DisposeAsync()
    {
        alice.Dispose();
        await base.DisposeAsync();
    }

    [Fact]
    public async Task ExportForm_SecondStatement_StreamsOnlyItsRows()
    {
        var response = await PostAsync(TwoResults, statement: "1");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal([["id", "price"], ["3", "4.50"], ["4", "6.00"]], Csv.Parse(await response.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task ExportForm_NoStatement_StreamsFirstResultSet()
    {
        var response = await PostAsync(TwoResults, statement: null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([["id", "name"], ["1", "widget 1"], ["2", "widget 2"]], Csv.Parse(await response.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task ExportLink_SecondStatement_StreamsOnlyItsRows()
    {
        // The page's path: it parks the SQL and the tab's statement index under a one-time token.
        var token = await App.Services.GetRequiredService<ExportTokens>().CreateAsync("alice", "demo", TwoResults, "export test", statement: 1);

        var response = await alice.GetAsync($"/workbench/export/{token}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([["id", "price"], ["3", "4.50"], ["4", "6.00"]], Csv.Parse(await response.Content.ReadAsStringAsync()));
        Assert.Equal(HttpStatusCode.NotFound, (await alice.GetAsync($"/workbench/export/{token}")).StatusCode);
    }

    [Fact]
    public async Task ExportForm_StatementOutOfRange_Answers400AndRunsNothing()
    {
        var marker = "range_" + Guid.NewGuid().ToString("N")[..8];

        var response = await PostAsync($"SELECT 1 AS {marker}; SELECT 2 AS {marker}", statement: "2");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("statement 2 is out of range", text, StringComparison.Ordinal);
        Assert.Contains("2 statements", text, StringComparison.Ordinal);
        // Refused before the pipeline: no audit row, so nothing ran. The same batch with a valid index is audited once.
        Assert.Equal(0L, await AuditRowsAsync(marker));
        Assert.Equal(HttpStatusCode.OK, (await PostAsync($"SELECT 1 AS {marker}; SELECT 2 AS {marker}", statement: "1")).StatusCode);
        Assert.Equal(1L, await AuditRowsAsync(marker));
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("one")]
    [InlineData("1.5")]
    public async Task ExportForm_StatementNotAnIndex_Answers400WithMessage(string statement)
    {
        var response = await PostAsync(TwoResults, statement);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("0-based index", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExportForm_StatementWithoutResultSet_Answers422NamingIt()
    {
        // SELECT with an empty target list returns no columns: there is nothing to write a header for.
        var response = await PostAsync("SELECT id FROM widgets WHERE id = 1; SELECT FROM widgets WHERE id = 1", statement: "1");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("Statement 1 returned no rows to export.", await response.Content.ReadAsStringAsync());
    }

    private Task<HttpResponseMessage> PostAsync(string sql, string? statement)
    {
        var fields = new Dictionary<string, string>
        {
            ["database"] = "demo",
            ["sql"] = sql,
            ["reason"] = "export test",
            ["__RequestVerificationToken"] = antiforgery,
        };
        if (statement is not null)
        {
            fields["statement"] = statement;
        }

        return alice.PostAsync("/workbench/export", new FormUrlEncodedContent(fields));
    }

    private async Task<long> AuditRowsAsync(string marker)
    {
        await using var conn = new NpgsqlConnection(App.ControlConnection);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM rose.audit_entries WHERE strpos(sql_text, $1) > 0", conn);
        cmd.Parameters.Add(new NpgsqlParameter { Value = marker });
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    [GeneratedRegex("<input[^>]*name=\"__RequestVerificationToken\"[^>]*value=\"(?<value>[^\"]+)\"")]
    private static partial Regex AntiforgeryInput();
}
