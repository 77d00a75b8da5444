namespace Rose.Console.Tests;

/// <summary>
/// The base of test classes that speak to the real console host (<see cref="RoseAppFactory"/>): a host of
/// their own for each test, over a fresh control database and a fresh `demo` target, stopped after it.
/// For classes whose assertions read the whole of a fresh database (counts of audit rows, of migrations,
/// of devlogs). A class whose tests read only what they wrote derives from <see cref="SharedHostTest"/>.
/// </summary>
public abstract class HostTest(PostgresServerFixture pg) : IAsyncLifetime
{
    protected PostgresServerFixture Pg => pg;

    /// <summary>The host (available from InitializeAsync on).</summary>
    protected RoseAppFactory App { get; private set; } = null!;

    /// <summary>Settings beyond <see cref="RoseAppFactory"/>'s own (a class's agents, limits).</summary>
    protected virtual IDictionary<string, string?>? ExtraSettings => null;

    public virtual async Task InitializeAsync() => App = await StartAsync();

    public virtual async Task DisposeAsync() => await App.DisposeAsync();

    /// <summary>What the class's tests need in the databases before they run, written once for each host.</summary>
    protected virtual Task SeedAsync(RoseAppFactory app) => Task.CompletedTask;

    /// <summary>A number read straight from the target (a count, as an auditor with psql would), not through the console.</summary>
    protected Task<long> TargetScalarAsync(string sql) => Db.ScalarAsync<long>(App.TargetConnection, sql);

    /// <summary>A number read straight from the control database.</summary>
    protected Task<long> ControlScalarAsync(string sql) => Db.ScalarAsync<long>(App.ControlConnection, sql);

    /// <summary>Posts a JSON body: the status and the answer's JSON (default for an empty body).</summary>
    protected static async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(HttpClient client, string path, object body)
    {
        var response = await client.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement);
    }

    protected virtual async Task<RoseAppFactory> StartAsync()
    {
        var app = await RoseAppFactory.CreateAsync(pg, extra: ExtraSettings);
        await SeedAsync(app);
        return app;
    }
}
