using System.Diagnostics;
using System.Security.Claims;
using Bunit;
using Rose.Console.Auth;
using Rose.Console.Components.Pages.Migrations;
using Rose.Console.Tests.Components;
using Rose.Core.Migrations;
using Rose.Core.Undo;

namespace Rose.Console.Tests.Undo;

/// <summary>
/// The done-when of drift: a column added with psql outside Rose shows in the API, the CLI (exit 7) and the page.
/// One host for the class (<see cref="SharedRoseApp"/>): the migration and the column are arranged once, every test only reads.
/// </summary>
[Collection("postgres")]
public sealed class DriftTests(PostgresServerFixture pg, SharedRoseApp shared) : ComponentTestContext, IAsyncLifetime, IClassFixture<SharedRoseApp>
{
    private static readonly (string Name, string Sql)[] Files =
    [
        ("V1__parcels.sql", "CREATE TABLE parcels (id int PRIMARY KEY, weight numeric(8,3) NOT NULL)"),
    ];

    private RoseAppFactory app = null!;

    public async Task InitializeAsync() => app = await shared.GetAsync(StartAsync);

    private async Task<RoseAppFactory> StartAsync()
    {
        var started = await RoseAppFactory.CreateAsync(pg);
        using var agent = started.AgentClient();
        var applied = await agent.PostAsJsonAsync("/api/v1/sql/migrate",
            new { database = "demo", migrations = Files.Select(f => new { name = f.Name, sql = f.Sql }), reason = "drift test" });
        Assert.Equal(HttpStatusCode.OK, applied.StatusCode);
        await Db.ExecAsync(started.TargetConnection, "ALTER TABLE parcels ADD COLUMN sneaked_in text");
        return started;
    }

    /// <summary>The host belongs to the class fixture, which stops it after the class's last test.</summary>
    public new Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Api_ColumnAddedOutsideRose_IsReportedAsAdded()
    {
        using var agent = app.AgentClient();

        var response = await agent.PostAsJsonAsync("/api/v1/migrations/demo/drift", new { migrations = Files.Select(f => new { name = f.Name, sql = f.Sql }) });
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(body.GetProperty("drift").GetBoolean());
        Assert.Contains(body.GetProperty("differences").EnumerateArray(),
            d => d.GetProperty("change").GetString() == "added" && d.GetProperty("name").GetString()!.Contains("sneaked_in", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Cli_MigrateDrift_ExitsSeven()
    {
        await using var host = await RealHost.StartAsync(app.Settings);
        var dir = Directory.CreateTempSubdirectory("rose-cli-drift").FullName;
        foreach (var (name, sql) in Files)
        {
            await File.WriteAllTextAsync(Path.Combine(dir, name), sql);
        }

        var exe = BuiltProgram.Find("Rose.Cli", "rose");
        var info = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "migrate", "drift", "--database", "demo", "--dir", dir, "--url", host.Url.ToString(), "--api-key", RoseAppFactory.AgentKey })
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(90));

        Assert.Equal(7, process.ExitCode);
        Assert.Contains("sneaked_in", output, StringComparison.Ordinal);
        Assert.Contains("DRIFT", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Page_DriftPanel_ShowsTheAddedColumn()
    {
        Services.AddSingleton(app.Services.GetRequiredService<SchemaDrift>());
        Services.AddSingleton(app.Services.GetRequiredService<CurrentIdentity>());
        var agent = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(ClaimTypes.NameIdentifier, "rose"), new Claim(ClaimTypes.Name, "rose"), new Claim(RoseClaims.Kind, "agent")], "test"));
        var cut = Render<DriftPanel>(p => p.Add(d => d.Database, "demo").Add(d => d.Set, MigrationSet.From(Files)).Add(d => d.User, agent));

        cut.Find("[data-testid=drift-check]").Click();

        cut.WaitForAssertion(() => Assert.Contains("Drift:", cut.Find("[data-testid=drift-summary]").TextContent, StringComparison.Ordinal), TimeSpan.FromSeconds(90));
        Assert.Contains(cut.FindAll("[data-testid=drift-row]"), r => r.TextContent.Contains("sneaked_in", StringComparison.Ordinal) && r.TextContent.Contains("added", StringComparison.Ordinal));
    }
}
