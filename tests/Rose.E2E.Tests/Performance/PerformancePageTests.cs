using Rose.E2E.Tests.Infrastructure;

namespace Rose.E2E.Tests.Performance;

/// <summary>A console whose operators need approval for CREATE INDEX (appended to the dev role's requires_approval).</summary>
public sealed class PerformanceConsoleFixture : RoseConsoleFixture
{
    protected override void ConfigureEnvironment(IDictionary<string, string> environment)
    {
        base.ConfigureEnvironment(environment);
        environment["Rose__Roles__operator__Policy__requires_approval__3"] = "CREATE INDEX";
    }
}

[CollectionDefinition(Name)]
public sealed class PerformanceCollection : ICollectionFixture<PerformanceConsoleFixture>
{
    public const string Name = "console-performance";
}

/// <summary>In real Chromium: on /performance an operator gets an index recommendation and turns it into an approval request.</summary>
[Collection(PerformanceCollection.Name)]
public sealed class PerformancePageTests(PerformanceConsoleFixture fixture)
{
    [Fact]
    public async Task Recommendation_CreateThroughThePipeline_BecomesAnApprovalRequest()
    {
        var page = await fixture.SignInAsync("alice", "/performance?database=demo");
        await RoseConsoleFixture.WaitInteractiveAsync(page);

        // MudBlazor puts the test id on the textarea itself or on its wrapper, depending on the version.
        var typed = page.Locator("textarea[data-testid=performance-typed], [data-testid=performance-typed] textarea").First;
        await RoseConsoleFixture.SelectTabAsync(page, page.GetByText("Index advisor"), typed);
        await typed.FillAsync("SELECT id FROM events WHERE payload = 'payload, \"quoted\" 77'");
        await page.GetByTestId("performance-advise").ClickAsync();
        var recommendation = page.GetByTestId("performance-recommendation").First;
        await Assertions.Expect(recommendation).ToContainTextAsync("CREATE INDEX CONCURRENTLY", new() { Timeout = 60_000 });
        await Assertions.Expect(recommendation).ToContainTextAsync("ON \"public\".\"events\" (\"payload\")");

        await recommendation.GetByTestId("performance-create").ClickAsync();

        await Assertions.Expect(page.GetByTestId("performance-message")).ToContainTextAsync("Approval request #", new() { Timeout = 60_000 });
        await using var conn = new NpgsqlConnection(fixture.ControlConnection);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM rose.approvals WHERE status = 'pending' AND sql_text LIKE 'CREATE INDEX CONCURRENTLY%(\"payload\")'", conn);
        Assert.Equal(1L, (long)(await cmd.ExecuteScalarAsync())!);
        // Parked, not run: the target has no such index yet.
        await using var target = new NpgsqlConnection(fixture.TargetConnection);
        await target.OpenAsync();
        await using var indexes = new NpgsqlCommand("SELECT count(*) FROM pg_indexes WHERE tablename = 'events' AND indexdef LIKE '%(payload)'", target);
        Assert.Equal(0L, (long)(await indexes.ExecuteScalarAsync())!);
        await page.Context.CloseAsync();
    }
}
