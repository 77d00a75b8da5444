namespace Rose.Console.Tests.Undo;

/// <summary>A console host and the whole-database snapshot taken on it, for all of <see cref="DataSnapshotApiTests"/>; the snapshot's files go with it.</summary>
public sealed class SnapshotHost(RoseAppFactory app, string snapshot) : IAsyncDisposable
{
    public RoseAppFactory App => app;

    /// <summary>The name of the snapshot of the whole `demo` database, taken through the API by the agent.</summary>
    public string Snapshot => snapshot;

    public static async Task<SnapshotHost> StartAsync(PostgresServerFixture pg)
    {
        var app = await RoseAppFactory.CreateAsync(pg);
        using var agent = app.AgentClient();
        var taken = await agent.PostAsJsonAsync("/api/v1/migrations/demo/data-snapshots", new { reason = "snapshot api test" });
        Assert.Equal(HttpStatusCode.Created, taken.StatusCode);
        return new SnapshotHost(app, JsonDocument.Parse(await taken.Content.ReadAsStringAsync()).RootElement.GetProperty("name").GetString()!);
    }

    public async ValueTask DisposeAsync()
    {
        var folder = Path.Combine(app.Settings["Rose:DataDir"]!, "snapshots", "demo", "data");
        foreach (var ext in new[] { ".dump", ".json" })
        {
            File.Delete(Path.Combine(folder, snapshot + ext));
        }

        await app.DisposeAsync();
    }
}

/// <summary>One <see cref="SnapshotHost"/> per class.</summary>
public sealed class SharedSnapshotHost : SharedFixture<SnapshotHost>;
