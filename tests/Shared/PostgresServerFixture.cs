using Npgsql;

namespace Rose.Tests.Shared;

/// <summary>
/// Gives a test class fresh databases on the run's one PostgreSQL server (see <see cref="PostgresServer"/>).
/// Use as IClassFixture&lt;PostgresServerFixture&gt; (classes run in parallel) or through the "postgres"
/// collection (classes in it run one after another). Databases it created are dropped when the class ends, unless
/// the server is the run's throwaway one (then only their sessions are ended: the databases go with the server).
/// </summary>
public sealed class PostgresServerFixture : IAsyncLifetime
{
    private readonly List<string> _created = [];
    private readonly Lock _gate = new();
    private PostgresServer? _server;

    /// <summary>The shared server (available after InitializeAsync, which xunit runs before the tests).</summary>
    public PostgresServer Server => _server ?? throw new InvalidOperationException("The PostgreSQL fixture is not initialised yet.");

    /// <summary>Superuser connection string to the postgres database.</summary>
    public string AdminConnectionString => Server.AdminConnectionString;

    public async Task InitializeAsync() => _server = await PostgresServer.GetAsync();

    /// <summary>Creates a fresh, uniquely named database and returns a superuser connection string to it.</summary>
    public async Task<string> CreateDatabaseAsync(string? prefix = null, CancellationToken ct = default)
    {
        var connectionString = await Server.CreateDatabaseAsync(prefix, ct);
        lock (_gate)
        {
            _created.Add(new NpgsqlConnectionStringBuilder(connectionString).Database!);
        }
        return connectionString;
    }

    /// <summary>A fresh database copied from a template built once per run (see <see cref="PostgresServer.CreateDatabaseFromTemplateAsync"/>).</summary>
    public async Task<string> CreateDatabaseFromTemplateAsync(string? prefix, string template,
        Func<string, CancellationToken, Task> build, CancellationToken ct = default)
    {
        var connectionString = await Server.CreateDatabaseFromTemplateAsync(prefix, template, build, ct);
        lock (_gate)
        {
            _created.Add(new NpgsqlConnectionStringBuilder(connectionString).Database!);
        }
        return connectionString;
    }

    /// <summary>
    /// A fresh control database whose schema is already current: a copy of one migrated by the real
    /// <see cref="Rose.Core.Control.ControlSchemaMigrator"/> once per run. A console started on it finds every
    /// version applied, as one restarted on its own control database does.
    /// </summary>
    public Task<string> CreateControlDatabaseAsync(string? prefix = "control", CancellationToken ct = default) =>
        CreateDatabaseFromTemplateAsync(prefix, "control", async (connection, token) =>
        {
            Rose.Core.Execution.NpgsqlSettings.EnsureRawSql();
            await using var db = NpgsqlDataSource.Create(connection);
            await new Rose.Core.Control.ControlSchemaMigrator(
                Microsoft.Extensions.Logging.Abstractions.NullLogger<Rose.Core.Control.ControlSchemaMigrator>.Instance).MigrateAsync(db, token);
        }, ct);

    /// <summary>A unique database name not yet created (for code under test that creates it), dropped with the class.</summary>
    public string ReserveDatabaseName(string? prefix = null)
    {
        var name = Server.ReserveDatabaseName(prefix);
        lock (_gate)
        {
            _created.Add(name);
        }
        return name;
    }

    public async Task DisposeAsync()
    {
        if (_server is null)
        {
            return;
        }
        string[] names;
        lock (_gate)
        {
            names = [.. _created];
        }
        if (_server.Throwaway)
        {
            // The databases go with the server at the end of the run; what the drop also did, end the sessions
            // the class's pools left open, keeps them from adding up towards max_connections.
            await EndSessionsAsync(_server, names);
            return;
        }

        foreach (var name in names)
        {
            await DropAsync(_server, name);
        }
    }

    /// <summary>Cleanup, not a test, as <see cref="DropAsync"/>: a server that cannot be reached is reported and left.</summary>
    private static async Task EndSessionsAsync(PostgresServer server, string[] names)
    {
        if (names.Length == 0)
        {
            return;
        }

        await RetriedAsync(() => server.EndSessionsAsync(names, CancellationToken.None), $"sessions on {names.Length} test databases left open");
    }

    /// <summary>
    /// Cleanup, not a test: a drop that cannot connect (a loaded machine, the connect timing out) is tried
    /// again, and one that still fails is reported and left, since the database goes with the throwaway
    /// server at the end of the run. A collection's cleanup failing the whole suite after every test passed
    /// said nothing about the product.
    /// </summary>
    private static async Task DropAsync(PostgresServer server, string name)
    {
        await RetriedAsync(() => server.DropDatabaseAsync(name, CancellationToken.None), $"database {name} left on the test server");
    }

    /// <summary>A cleanup step tried three times on connection failures, then reported (what is left) and given up.</summary>
    private static async Task RetriedAsync(Func<Task> step, string left)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await step();
                return;
            }
            catch (Npgsql.NpgsqlException ex) when (ex is not Npgsql.PostgresException)
            {
                if (attempt == 3)
                {
                    await System.Console.Error.WriteLineAsync($"test cleanup: {left} ({ex.Message})");
                    return;
                }

                await Task.Delay(TimeSpan.FromSeconds(2 * attempt));
            }
        }
    }
}

/// <summary>Test classes marked [Collection("postgres")] share one fixture and run one after another.</summary>
[CollectionDefinition("postgres")]
public sealed class PostgresCollection : ICollectionFixture<PostgresServerFixture>
{
}

/// <summary>
/// A second collection like <see cref="PostgresCollection"/>, which runs beside it: a project whose classes were
/// all in one collection spent most of its time waiting on one test at a time (each test's fresh databases are
/// made by the server while the test process idles). A project splits its classes between the two so that
/// classes which watch server-wide state (pg_stat_activity by query text, the scratch databases in
/// pg_database) stay in the same collection as every other class that could change that state.
/// </summary>
[CollectionDefinition(Name)]
public sealed class PostgresSecondCollection : ICollectionFixture<PostgresServerFixture>
{
    public const string Name = "postgres-2";
}
