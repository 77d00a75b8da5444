using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Npgsql;
using Rose.Console.Hosting;
using Rose.Tests.Shared;

namespace Rose.E2E.Tests;

/// <summary>
/// In real Chromium: an operator opens /validation, presses Run now, and sees the results (failing
/// first) and the trend chart. The console runs in-process on a loopback port over fresh databases.
/// </summary>
public sealed class ValidationPageTests(PostgresServerFixture pg) : IClassFixture<PostgresServerFixture>, IAsyncLifetime
{
    private WebApplication app = null!;
    private Uri url = null!;

    public async Task InitializeAsync()
    {
        var control = await pg.CreateDatabaseAsync("e2e_control");
        var target = await pg.CreateDatabaseAsync("e2e_target");
        await using (var conn = new NpgsqlConnection(target))
        {
            await conn.OpenAsync();
            await Rose.Core.Storage.SqlScript.ExecuteAsync(conn, null,
                "CREATE TABLE people (id int PRIMARY KEY, name text); INSERT INTO people SELECT g, CASE WHEN g % 5 = 0 THEN NULL ELSE 'p' || g END FROM generate_series(1, 50) g;",
                CancellationToken.None);
        }

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = "Development",
            ApplicationName = typeof(Program).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Rose:ControlConnection"] = control,
            ["Rose:DataDir"] = Path.Combine(Path.GetTempPath(), "rose-e2e-validation"),
            ["Rose:Targets:demo:ConnectionString"] = target,
            ["Rose:Targets:demo:Environment"] = "dev",
        });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await builder.AddRoseConsoleAsync();
        app = builder.Build();
        app.UseRoseConsole();
        await app.StartAsync();
        url = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        await using var scope = app.Services.CreateAsyncScope();
        // A check that fails, so the page has something to put first.
        await scope.ServiceProvider.GetRequiredService<Rose.Core.Validation.Storage.ValidationCheckStore>().UpsertAsync("demo",
            new Rose.Core.Validation.CheckDefinition { Kind = "not_null", Table = "people", Columns = ["name"] }, "e2e", CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    [Fact]
    public async Task ValidationPage_RunNow_ShowsResultsFailingFirstAndATrendChart()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        var page = await browser.NewPageAsync();
        page.SetDefaultTimeout(60_000);
        var problems = new List<string>();
        page.Console += (_, m) => problems.Add($"console {m.Type}: {m.Text}");
        page.RequestFailed += (_, r) => problems.Add($"failed {r.Url}");
        page.Response += (_, r) => { if (r.Status >= 400) { problems.Add($"{r.Status} {r.Url}"); } };

        await page.GotoAsync(new Uri(url, "/dev/login?user=alice&returnUrl=" + Uri.EscapeDataString("/validation?database=demo")).ToString());
        await page.GetByTestId("validation-empty").WaitForAsync();
        // Clicks only reach the server once the interactive circuit is up.
        await Rose.E2E.Tests.Infrastructure.RoseConsoleFixture.WaitInteractiveAsync(page);
        await page.GetByTestId("validation-run").ClickAsync();

        var first = page.GetByTestId("validation-result").First;
        try
        {
            await first.WaitForAsync();
        }
        catch (TimeoutException)
        {
            Assert.Fail("no results after Run: " + string.Join("\n", problems) + "\n" + await page.ContentAsync());
        }
        Assert.Equal("not_null:public.people(name)", await first.GetAttributeAsync("data-key"));
        Assert.Contains("fail", await first.InnerTextAsync(), StringComparison.OrdinalIgnoreCase);
        await page.Locator("[data-testid=validation-trend] svg").First.WaitForAsync();
        Assert.Contains("run #", (await page.GetByTestId("validation-health").InnerTextAsync()).ToLowerInvariant(), StringComparison.Ordinal);

        // Drill-down: the check's sample rows and its SQL.
        await first.Locator("a").ClickAsync();
        await page.GetByTestId("validation-sample").WaitForAsync();
        Assert.Contains("IS NULL", await page.GetByTestId("validation-check-detail").InnerTextAsync(), StringComparison.Ordinal);
    }
}
