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

    [Fact]
    public async Task Migrations_ReversibilityCheck_ShowsVerdictAndTheDifference()
    {
        // Versions far above the other test's, removed afterwards so its pending counts hold whichever runs first.
        var files = new Dictionary<string, string>
        {
            ["V100__tags.sql"] = "CREATE TABLE tags (id int PRIMARY KEY, label varchar(40) NOT NULL);\n",
            ["U100__tags.sql"] = "DROP TABLE tags;\n",
            ["V101__wider_label.sql"] = "ALTER TABLE tags ALTER COLUMN label TYPE varchar(80);\n",
            ["U101__wider_label.sql"] = "ALTER TABLE tags ALTER COLUMN label TYPE text;\n",
        };
        foreach (var (name, sql) in files)
        {
            await File.WriteAllTextAsync(Path.Combine(fixture.MigrationsDir, name), sql);
        }

        try
        {
            var page = current = await fixture.SignInAsync("alice", "/migrations?database=demo");
            await RoseConsoleFixture.WaitInteractiveAsync(page);
            var button = page.GetByTestId("reversibility-button");
            await RoseConsoleFixture.SelectTabAsync(page, page.GetByRole(AriaRole.Tab, new() { Name = "Reversibility" }), button);
            await button.ClickAsync();
            var result = page.GetByTestId("reversibility-result");
            await Assertions.Expect(result).ToHaveAttributeAsync("data-ok", "false", new() { Timeout = 60_000 });
            var steps = page.GetByTestId("reversibility-steps");
            await Assertions.Expect(steps.Locator("tr", new() { HasText = "V100__tags.sql" })).ToHaveAttributeAsync("data-verdict", "reversible");
            var wider = steps.Locator("tr", new() { HasText = "V101__wider_label.sql" });
            await Assertions.Expect(wider).ToHaveAttributeAsync("data-verdict", "not_reversible");
            await Assertions.Expect(wider.GetByTestId("reversibility-differences")).ToContainTextAsync("public.tags.label");
            await RoseConsoleFixture.ScreenshotAsync(page, "migrations-reversibility");
            // The target never saw the scratch copy's tables.
            await Assertions.Expect(page.GetByTestId("migration-status").Locator("tr[data-state='pending']", new() { HasText = "V10" })).ToHaveCountAsync(2);
            await page.Context.CloseAsync();
        }
        catch (Exception ex) when (ex is PlaywrightException or TimeoutException)
        {
            if (current is not null)
            {
                await RoseConsoleFixture.ScreenshotAsync(current, "reversibility-failure");
            }

            throw new Xunit.Sdk.XunitException($"{ex.Message}\n--- console output ---\n{fixture.Console.Output}");
        }
        finally
        {
            foreach (var name in files.Keys)
            {
                File.Delete(Path.Combine(fixture.MigrationsDir, name));
            }
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
