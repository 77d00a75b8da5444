using System.Diagnostics;
using System.Security.Claims;
using Bunit;
using Rose.Console.Auth;
using Rose.Console.Components.Pages.Migrations;
using Rose.Console.Tests.Components;
using Rose.Core.Undo;
using Rose.Core.Workbench;

namespace Rose.Console.Tests.Undo;

/// <summary>
/// Data snapshots through the API (take, list, restore into a new database, verified), the CLI and the migrations page.
/// One host and one snapshot for the class: restores go into new databases or park for approval, so `demo` and the
/// snapshot stay as taken; the test that takes another snapshot finds it by its name and deletes it.
/// </summary>
[Collection("postgres")]
public sealed class DataSnapshotApiTests(PostgresServerFixture pg, SharedSnapshotHost shared) : ComponentTestContext, IAsyncLifetime, IClassFixture<SharedSnapshotHost>
{
    private RoseAppFactory app = null!;
    private string snapshot = "";

    public async Task InitializeAsync()
    {
        var host = await shared.GetAsync(() => SnapshotHost.StartAsync(pg));
        app = host.App;
        snapshot = host.Snapshot;
    }

    /// <summary>The host and the snapshot belong to the class fixture, which removes them after the class's last test.</summary>
    public new Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Api_TakeListRestore_RestoredDatabaseIsVerified()
    {
        using var agent = app.AgentClient();
        var list = JsonDocument.Parse(await agent.GetStringAsync("/api/v1/migrations/demo/data-snapshots")).RootElement;
        var listed = list.EnumerateArray().Single(s => s.GetProperty("name").GetString() == snapshot);
        Assert.Equal(20, listed.GetProperty("rows").GetInt64());
        Assert.Equal("database", listed.GetProperty("contents").GetString());
        Assert.True(listed.GetProperty("age_seconds").GetInt64() >= 0);
        Assert.Contains(listed.GetProperty("tables").EnumerateArray(), t => t.GetProperty("table").GetString() == "public.widgets");

        // Restoring is for admins: the agent key may take and list, not restore.
        var refused = await agent.PostAsJsonAsync($"/api/v1/migrations/demo/data-snapshots/{snapshot}/restore", new { reason = "no" });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);

        using var carol = await app.ClientAsync("carol");
        var into = pg.ReserveDatabaseName("api_restored");
        var restored = await carol.PostAsJsonAsync($"/api/v1/migrations/demo/data-snapshots/{snapshot}/restore", new { reason = "restore test", new_database = into });
        var body = JsonDocument.Parse(await restored.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, restored.StatusCode);
        Assert.True(body.GetProperty("verified").GetBoolean());
        Assert.Equal(into, body.GetProperty("restored_database").GetString());
        await using var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(app.TargetConnection) { Database = into }.ConnectionString);
        await conn.OpenAsync();
        await using var count = new NpgsqlCommand("SELECT count(*) FROM widgets", conn);
        Assert.Equal(20L, await count.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Api_TakeChosenTables_ListedWithTheirContents()
    {
        using var agent = app.AgentClient();
        var bad = await agent.PostAsJsonAsync("/api/v1/migrations/demo/data-snapshots", new { reason = "chosen", tables = new[] { "no_such_table" } });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("no table named no_such_table", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var taken = await agent.PostAsJsonAsync("/api/v1/migrations/demo/data-snapshots", new { reason = "chosen", tables = new[] { "widgets" } });
        Assert.Equal(HttpStatusCode.Created, taken.StatusCode);
        var name = JsonDocument.Parse(await taken.Content.ReadAsStringAsync()).RootElement.GetProperty("name").GetString()!;
        try
        {
            var listed = JsonDocument.Parse(await agent.GetStringAsync("/api/v1/migrations/demo/data-snapshots")).RootElement
                .EnumerateArray().Single(s => s.GetProperty("name").GetString() == name);
            Assert.Equal("tables", listed.GetProperty("contents").GetString());
            Assert.Equal(["public.widgets"], listed.GetProperty("chosen_tables").EnumerateArray().Select(t => t.GetString()));
            Assert.Equal(["public.widgets"], listed.GetProperty("tables").EnumerateArray().Select(t => t.GetProperty("table").GetString()));
        }
        finally
        {
            foreach (var ext in new[] { ".dump", ".json" })
            {
                File.Delete(Path.Combine(app.Settings["Rose:DataDir"]!, "snapshots", "demo", "data", name + ext));
            }
        }
    }

    [Fact]
    public async Task Api_RestoreInPlace_ParksForApprovalNamingSnapshotAndDatabase()
    {
        using var agent = app.AgentClient();
        var refused = await agent.PostAsJsonAsync($"/api/v1/migrations/demo/data-snapshots/{snapshot}/restore-in-place", new { reason = "no" });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);

        using var carol = await app.ClientAsync("carol");
        var parked = await carol.PostAsJsonAsync($"/api/v1/migrations/demo/data-snapshots/{snapshot}/restore-in-place", new { reason = "put demo back" });
        var body = JsonDocument.Parse(await parked.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.Accepted, parked.StatusCode);
        Assert.Equal("pending_approval", body.GetProperty("status").GetString());
        Assert.Equal(snapshot, body.GetProperty("snapshot").GetString());
        var approval = JsonDocument.Parse(await carol.GetStringAsync($"/api/v1/approvals/{body.GetProperty("approval_id").GetInt64()}")).RootElement;
        Assert.Equal("pending", approval.GetProperty("status").GetString());
        Assert.Equal("demo", approval.GetProperty("database").GetString());
        Assert.Equal([DataSnapshots.InPlaceOperation], approval.GetProperty("operations").EnumerateArray().Select(o => o.GetString()));
    }

    [Fact]
    public async Task Api_RestoreOverLiveDatabase_Is400NamingWhy()
    {
        using var carol = await app.ClientAsync("carol");
        var live = new NpgsqlConnectionStringBuilder(app.TargetConnection).Database;

        var response = await carol.PostAsJsonAsync($"/api/v1/migrations/demo/data-snapshots/{snapshot}/restore", new { reason = "overwrite", new_database = live });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("never over", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cli_SnapshotList_ShowsTheSnapshot()
    {
        await using var host = await RealHost.StartAsync(app.Settings);
        var info = new ProcessStartInfo(BuiltProgram.Find("Rose.Cli", "rose")) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "snapshot", "list", "--database", "demo", "--url", host.Url.ToString(), "--api-key", RoseAppFactory.AgentKey })
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(90));

        Assert.Equal(0, process.ExitCode);
        Assert.Contains(snapshot, output, StringComparison.Ordinal);
    }

    [Fact]
    public void Page_DataSnapshotPanel_ListsTheSnapshot()
    {
        Services.AddSingleton(app.Services.GetRequiredService<DataSnapshots>());
        Services.AddSingleton(app.Services.GetRequiredService<CurrentIdentity>());
        Services.AddSingleton(app.Services.GetRequiredService<SchemaCatalog>());
        var viewer = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, "dave"), new Claim(ClaimTypes.Name, "dave")], "test"));

        var cut = Render<DataSnapshotPanel>(p => p.Add(d => d.Database, "demo").Add(d => d.User, viewer));

        Assert.Contains(cut.FindAll("[data-testid=data-snapshot-row]"), r => r.TextContent.Contains(snapshot, StringComparison.Ordinal)
            && r.QuerySelector("[data-testid=data-snapshot-contents]")!.TextContent == "Whole database");
        Assert.Empty(cut.FindAll("[data-testid=data-snapshot-take]"));
        Assert.Empty(cut.FindAll("[data-testid=data-snapshot-restore]"));
    }
}
