using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Rose.Console.Hosting;

namespace Rose.E2E.Tests;

/// <summary>
/// One in-process console on a loopback port and one Chromium for <see cref="ValidationPageTests"/>. Each test
/// runs validation on a target of its own (the page of a target that was never run is the starting point),
/// so they share the host and the browser instead of starting both per test. Each target holds `people`
/// (50 rows, every fifth name NULL) with one stored not_null check that fails.
/// </summary>
public sealed class ValidationConsoleFixture : IAsyncLifetime
{
    /// <summary>One target per test: Run now on a target that has never been validated.</summary>
    public static readonly string[] Targets = ["demo", "progress"];

    private WebApplication? app;
    private Infrastructure.ChromiumBrowser? chromium;

    public PostgresServerFixture Postgres { get; } = new();

    public Uri Url { get; private set; } = null!;

    public Infrastructure.ChromiumBrowser Chromium => chromium ?? throw new InvalidOperationException("Chromium is not started.");

    public async Task InitializeAsync()
    {
        await Postgres.InitializeAsync();
        var settings = new Dictionary<string, string?>
        {
            // The control schema comes from the run's migrated template, as a restarted console finds it.
            ["Rose:ControlConnection"] = await Postgres.CreateControlDatabaseAsync("e2e_control"),
            ["Rose:DataDir"] = Path.Combine(Path.GetTempPath(), "rose-e2e-validation"),
        };
        foreach (var name in Targets)
        {
            var target = await Postgres.CreateDatabaseFromTemplateAsync("e2e_target", "e2e_people", async (connection, ct) =>
            {
                await using var conn = new NpgsqlConnection(connection);
                await conn.OpenAsync(ct);
                await Rose.Core.Control.SqlScript.ExecuteAsync(conn, null,
                    "CREATE TABLE people (id int PRIMARY KEY, name text); INSERT INTO people SELECT g, CASE WHEN g % 5 = 0 THEN NULL ELSE 'p' || g END FROM generate_series(1, 50) g;",
                    ct);
            });
            settings[$"Rose:Targets:{name}:ConnectionString"] = target;
            settings[$"Rose:Targets:{name}:Environment"] = "dev";
        }

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = "Development",
            ApplicationName = typeof(Program).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await builder.AddRoseConsoleAsync();
        app = builder.Build();
        app.UseRoseConsole();
        await app.StartAsync();
        Url = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        await using (var scope = app.Services.CreateAsyncScope())
        {
            // A check that fails, so the page has something to put first.
            var checks = scope.ServiceProvider.GetRequiredService<Rose.Core.Validation.Storage.ValidationCheckStore>();
            foreach (var name in Targets)
            {
                await checks.UpsertAsync(name,
                    new Rose.Core.Validation.CheckDefinition { Kind = "not_null", Table = "people", Columns = ["name"] }, "e2e", CancellationToken.None);
            }
        }

        chromium = await Infrastructure.ChromiumBrowser.LaunchAsync();
    }

    public async Task DisposeAsync()
    {
        if (chromium is not null)
        {
            await chromium.DisposeAsync();
        }

        if (app is not null)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        await Postgres.DisposeAsync();
    }
}

/// <summary>
/// In real Chromium: an operator opens /validation, presses Run now, follows the run's progress and
/// sees the results (failing first) and the trend (a chart from the second run on). The console runs in-process on a loopback
/// port over fresh databases (<see cref="ValidationConsoleFixture"/>); each test has its own browser context.
/// </summary>
public sealed class ValidationPageTests(ValidationConsoleFixture fixture) : IClassFixture<ValidationConsoleFixture>
{
    [Fact]
    public async Task ValidationPage_RunNow_ShowsResultsFailingFirstAndATrendChart()
    {
        await using var session = await OpenAsOperatorAsync("demo");
        var page = session.Page;
        await page.GetByTestId("validation-run").ClickAsync();

        var first = page.GetByTestId("validation-result").First;
        await WaitOrFailAsync(session, first);
        Assert.Equal("not_null:public.people(name)", await first.GetAttributeAsync("data-key"));
        Assert.Contains("fail", await first.InnerTextAsync(), StringComparison.OrdinalIgnoreCase);
        // The chart once the target has two finished runs; after its first, that run's counts (a line needs two points).
        await page.Locator("[data-testid=validation-trend] svg, [data-testid=trend-single]").First.WaitForAsync();
        Assert.Contains("run #", (await page.GetByTestId("validation-health").InnerTextAsync()).ToLowerInvariant(), StringComparison.Ordinal);

        // Drill-down: the check's sample rows and its SQL.
        await first.Locator("a").ClickAsync();
        await page.GetByTestId("validation-sample").WaitForAsync();
        Assert.Contains("IS NULL", await page.GetByTestId("validation-check-detail").InnerTextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ValidationPage_RunNow_ShowsDeterminateProgressBeforeTheResults()
    {
        await using var session = await OpenAsOperatorAsync("progress");
        var page = session.Page;
        // A run of one small table is over in well under a second, too quick to catch the bar mid-way
        // by polling: the page itself notes when the bar and the first result first appear.
        await page.EvaluateAsync("""
            () => {
                window.roseSeen = {};
                const note = () => {
                    for (const id of ['validation-progress', 'validation-result']) {
                        if (!(id in window.roseSeen) && document.querySelector(`[data-testid=${id}]`)) {
                            window.roseSeen[id] = performance.now();
                        }
                    }
                };
                new MutationObserver(note).observe(document.body, { childList: true, subtree: true });
            }
            """);
        await page.GetByTestId("validation-run").ClickAsync();

        await WaitOrFailAsync(session, page.GetByTestId("validation-result").First);
        var seen = await page.EvaluateAsync<Dictionary<string, double>>("() => window.roseSeen");
        Assert.True(seen.ContainsKey("validation-progress"), "the progress bar never appeared");
        Assert.True(seen["validation-progress"] <= seen["validation-result"], "the progress bar appeared only after the results");

        // The bar stays, full, with the steps the run went through: catalog, the table's checks, audit, storing.
        var bar = page.Locator("[data-testid=validation-progress][role=progressbar], [data-testid=validation-progress] [role=progressbar]").First;
        Assert.Equal("4", await bar.GetAttributeAsync("aria-valuemax"));
        Assert.Equal("4", await bar.GetAttributeAsync("aria-valuenow"));
        var steps = await page.GetByTestId("validation-progress-log").Locator("li").AllTextContentsAsync();
        Assert.Equal(
            ["reading the catalog of progress", "1 of 4: checks on public.people", "2 of 4: schema audit", "3 of 4: storing the results", "4 of 4: 1 failing"],
            steps.Select(s => s.Split(" (")[0].Split(',')[0]));
        Assert.StartsWith("4 of 4: 1 failing", await page.GetByTestId("validation-progress-text").TextContentAsync(), StringComparison.Ordinal);
    }

    /// <summary>A signed-in operator (alice) in a fresh browser context on /validation?database=&lt;target&gt; with a live circuit, noting browser problems.</summary>
    private async Task<BrowserSession> OpenAsOperatorAsync(string target)
    {
        var context = await fixture.Chromium.NewContextAsync(fixture.Url);
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(60_000);
        var session = new BrowserSession(context, page);
        page.Console += (_, m) => session.Problems.Add($"console {m.Type}: {m.Text}");
        page.RequestFailed += (_, r) => session.Problems.Add($"failed {r.Url}");
        page.Response += (_, r) => { if (r.Status >= 400) { session.Problems.Add($"{r.Status} {r.Url}"); } };

        await page.GotoAsync(new Uri(fixture.Url, "/dev/login?user=alice&returnUrl=" + Uri.EscapeDataString($"/validation?database={target}")).ToString());
        await page.GetByTestId("validation-empty").WaitForAsync();
        // Clicks only reach the server once the interactive circuit is up.
        await Rose.E2E.Tests.Infrastructure.RoseConsoleFixture.WaitInteractiveAsync(page);
        return session;
    }

    private static async Task WaitOrFailAsync(BrowserSession session, ILocator locator)
    {
        try
        {
            await locator.WaitForAsync();
        }
        catch (TimeoutException)
        {
            Assert.Fail("no results after Run: " + string.Join("\n", session.Problems) + "\n" + await session.Page.ContentAsync());
        }
    }

    private sealed class BrowserSession(IBrowserContext context, IPage page) : IAsyncDisposable
    {
        public IPage Page => page;

        public List<string> Problems { get; } = [];

        public async ValueTask DisposeAsync() => await context.CloseAsync();
    }
}
