namespace Rose.Console.Tests;

/// <summary>Broken configuration stops start-up with a message that names the key to fix.</summary>
[Collection("postgres")]
public sealed class ConfigurationValidationTests(PostgresServerFixture pg)
{
    [Theory]
    [InlineData("Rose:Targets:demo:ConnectionString", "Host=127.0.0.1;Port=notaport", "Rose:Targets:demo:ConnectionString")]
    [InlineData("Rose:Targets:demo:Environment", "moon", "Rose:Targets:demo:Environment")]
    [InlineData("Rose:Agents:rose:Policy:environment", "qa", "Rose:Agents:rose:Policy:environment")]
    [InlineData("Rose:Targets:demo:StatementTimeoutSeconds", "-5", "Rose:Targets:demo:StatementTimeoutSeconds")]
    [InlineData("Rose:Validation:AbandonAfterSeconds", "5", "Rose:Validation:AbandonAfterSeconds")]
    public async Task Startup_BadSetting_FailsNamingTheKey(string key, string value, string expectedKey)
    {
        await using var app = await RoseAppFactory.CreateAsync(pg, extra: new Dictionary<string, string?> { [key] = value });

        var ex = Assert.ThrowsAny<Exception>(() => app.CreateClient());

        var message = Flatten(ex);
        Assert.Contains(expectedKey, message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Startup_MalformedControlConnection_FailsNamingTheKey()
    {
        await using var app = await RoseAppFactory.CreateAsync(pg, extra: new Dictionary<string, string?> { ["Rose:ControlConnection"] = "this is not=a;;connection=string=" });

        var ex = Assert.ThrowsAny<Exception>(() => app.CreateClient());

        Assert.Contains("Rose:ControlConnection", Flatten(ex), StringComparison.Ordinal);
    }

    private static string Flatten(Exception ex)
    {
        var parts = new List<string>();
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            parts.Add(e.Message);
            if (e is AggregateException agg)
            {
                parts.AddRange(agg.InnerExceptions.Select(i => i.Message));
            }
        }

        return string.Join(" | ", parts);
    }
}
