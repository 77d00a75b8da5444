using Rose.E2E.Tests.Infrastructure;

namespace Rose.E2E.Tests.Migrations;

/// <summary>A console whose `demo` target has an empty migrations folder: everything is written in the browser.</summary>
public sealed class AuthoringConsoleFixture : RoseConsoleFixture
{
    public string MigrationsDir { get; } = Directory.CreateTempSubdirectory("rose-e2e-authoring-").FullName;

    protected override void ConfigureEnvironment(IDictionary<string, string> environment)
    {
        base.ConfigureEnvironment(environment);
        environment["Rose__Targets__demo__MigrationsPath"] = MigrationsDir;
    }
}

[CollectionDefinition(Name)]
public sealed class AuthoringCollection : ICollectionFixture<AuthoringConsoleFixture>
{
    public const string Name = "console-migration-authoring";
}

/// <summary>
/// An operator writes a migration in the page's Monaco editor: lint and the policy answer as they
/// type, a bad file name is refused, then dry run and apply go through the same runner as files.
/// </summary>
[Collection(AuthoringCollection.Name)]
public sealed class MigrationAuthoringTests(AuthoringConsoleFixture fixture)
{
    [Fact]
    public async Task Author_TypeLintDryRunApply_CreatesTheTableOnTheTarget()
    {
        IPage? page = null;
        try
        {
            page = await fixture.SignInAsync("alice", "/migrations?database=demo");
            await RoseConsoleFixture.WaitInteractiveAsync(page);
            await Assertions.Expect(page.GetByTestId("migration-none")).ToBeVisibleAsync();

            // Typing: the linter and the policy answer without a click (once the editor's events are wired).
            await page.Locator("[data-testid=migration-author][data-ready='1']").WaitForAsync(new() { Timeout = 30_000 });
            await page.Locator("#migration-editor .view-lines").ClickAsync(new() { Timeout = 30_000 });
            await page.Keyboard.InsertTextAsync("CREATE TABLE authored_notes (id int PRIMARY KEY, body text);");
            await Assertions.Expect(page.GetByTestId("author-decision")).ToContainTextAsync("allow", new() { Timeout = 15_000 });
            await Assertions.Expect(page.GetByTestId("author-lint")).ToContainTextAsync("require-timestamps");

            // A name that is not a migration name is refused before anything runs.
            var name = page.Locator("[data-testid=author-name] input, input[data-testid=author-name]").First;
            await name.FillAsync("notes.sql");
            await Assertions.Expect(page.GetByTestId("migration-author")).ToContainTextAsync("notes.sql", new() { Timeout = 15_000 });
            await Assertions.Expect(page.GetByTestId("author-apply")).ToBeDisabledAsync();
            await name.FillAsync("V1__authored_notes.sql");
            await Assertions.Expect(page.GetByTestId("author-apply")).ToBeEnabledAsync(new() { Timeout = 15_000 });

            await page.GetByTestId("author-dryrun").ClickAsync();
            var result = page.GetByTestId("migration-result");
            await Assertions.Expect(result).ToHaveAttributeAsync("data-status", "succeeded", new() { Timeout = 30_000 });
            await Assertions.Expect(result).ToContainTextAsync("Dry run succeeded");
            Assert.False(await TableExistsAsync(), "a dry run must leave the target unchanged");

            await page.GetByTestId("author-apply").ClickAsync();
            await Assertions.Expect(result).ToContainTextAsync("Applied 1 migration(s)", new() { Timeout = 30_000 });
            Assert.True(await TableExistsAsync(), "the applied draft created its table");
            // The draft never became a file: the history knows version 1, the folder does not.
            await Assertions.Expect(page.GetByTestId("migration-status").Locator("tr[data-state='missing']")).ToHaveCountAsync(1);
            await RoseConsoleFixture.ScreenshotAsync(page, "migrations-authoring");
            await page.Context.CloseAsync();
        }
        catch (Exception ex) when (ex is PlaywrightException or TimeoutException)
        {
            if (page is not null)
            {
                await RoseConsoleFixture.ScreenshotAsync(page, "migrations-authoring-failure");
            }

            throw new Xunit.Sdk.XunitException($"{ex.Message}\n--- console output ---\n{fixture.Console.Output}");
        }
    }

    private async Task<bool> TableExistsAsync()
    {
        await using var conn = new NpgsqlConnection(fixture.TargetConnection);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT to_regclass('public.authored_notes') IS NOT NULL", conn);
        return (bool)(await cmd.ExecuteScalarAsync())!;
    }
}
