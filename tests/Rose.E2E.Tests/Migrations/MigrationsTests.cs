using Microsoft.Playwright;
using Rose.E2E.Tests.Infrastructure;

namespace Rose.E2E.Tests.Migrations;

/// <summary>A console whose `demo` target has a migrations folder.</summary>
public sealed class MigrationsConsoleFixture : RoseConsoleFixture
{
    public string MigrationsDir { get; } = Directory.CreateTempSubdirectory("rose-e2e-migrations-").FullName;

    protected override void ConfigureEnvironment(IDictionary<string, string> environment)
    {
        base.ConfigureEnvironment(environment);
        File.WriteAllText(Path.Combine(MigrationsDir, "V1__create_notes.sql"), "CREATE TABLE IF NOT EXISTS notes (id int PRIMARY KEY, body text);\n");
        File.WriteAllText(Path.Combine(MigrationsDir, "V2__seed_notes.sql"), "INSERT INTO notes VALUES (1, 'first'), (2, 'second');\n");
        environment["Rose__Targets__demo__MigrationsPath"] = MigrationsDir;
    }
}

[CollectionDefinition(Name)]
public sealed class MigrationsCollection : ICollectionFixture<MigrationsConsoleFixture>
{
    public const string Name = "console-migrations";
}

[Collection(MigrationsCollection.Name)]
public sealed class MigrationsTests(MigrationsConsoleFixture fixture)
{
    [Fact]
    public async Task Migrations_PlanWithLintThenApply_ShowsPendingAppliedAndProgress()
    {
        try
        {
            await RunAsync();
        }
        catch (Exception ex) when (ex is PlaywrightException or TimeoutException)
        {
            if (current is not null)
            {
                await RoseConsoleFixture.ScreenshotAsync(current, "migrations-failure");
            }

            throw new Xunit.Sdk.XunitException($"{ex.Message}\n--- console output ---\n{fixture.Console.Output}");
        }
    }

    private IPage? current;

    private async Task RunAsync()
    {
        var page = current = await fixture.SignInAsync("alice", "/migrations?database=demo");
        await RoseConsoleFixture.WaitInteractiveAsync(page);
        var status = page.GetByTestId("migration-status");
        await Assertions.Expect(status.Locator("tr[data-state='pending']")).ToHaveCountAsync(2);

        await page.GetByTestId("migration-apply-button").ClickAsync();
        await Assertions.Expect(page.GetByTestId("migration-result")).ToHaveAttributeAsync("data-status", "succeeded", new() { Timeout = 30_000 });
        await Assertions.Expect(page.GetByTestId("migration-progress-log")).ToContainTextAsync("V2");
        await Assertions.Expect(status.Locator("tr[data-state='applied']")).ToHaveCountAsync(2);

        // A new file: one pending beside two applied, and a plan that lints it.
        await File.WriteAllTextAsync(Path.Combine(fixture.MigrationsDir, "V3__index_body.sql"), "CREATE INDEX notes_body_idx ON notes (body);\n");
        await page.ReloadAsync();
        await RoseConsoleFixture.WaitInteractiveAsync(page);
        await Assertions.Expect(status.Locator("tr[data-state='pending']")).ToHaveCountAsync(1);
        await Assertions.Expect(status.Locator("tr[data-state='applied']")).ToHaveCountAsync(2);

        await page.GetByTestId("migration-plan-button").ClickAsync();
        await Assertions.Expect(page.GetByTestId("plan-migration")).ToContainTextAsync("CREATE INDEX");
        await Assertions.Expect(page.GetByTestId("plan-lint").First).ToContainTextAsync("lock_timeout");

        await page.GetByTestId("migration-apply-button").ClickAsync();
        await Assertions.Expect(page.GetByTestId("migration-result")).ToHaveAttributeAsync("data-status", "succeeded", new() { Timeout = 30_000 });
        await Assertions.Expect(status.Locator("tr[data-state='applied']")).ToHaveCountAsync(3);
        await RoseConsoleFixture.ScreenshotAsync(page, "migrations");
        await page.Context.CloseAsync();
    }
}
