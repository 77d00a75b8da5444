using Microsoft.Extensions.Logging.Abstractions;
using Rose.Core.Control;
using Rose.Core.Demo;

namespace Rose.Integration.Tests.Storage;

/// <summary>One demo database for the demo tests (loading it takes a few seconds), dropped at the end.</summary>
public sealed class DemoDatabaseFixture : IAsyncLifetime
{
    private PostgresServer? _server;

    public string DatabaseName { get; private set; } = "";

    public DemoDatabaseInfo Info { get; private set; } = null!;

    /// <summary>Superuser connection to the demo database.</summary>
    public string AdminConnectionString { get; private set; } = "";

    public PostgresServer Server => _server!;

    public async Task InitializeAsync()
    {
        _server = await PostgresServer.GetAsync();
        DatabaseName = _server.ReserveDatabaseName("demo");
        Info = await new DemoDatabase(NullLogger<DemoDatabase>.Instance).EnsureAsync(_server.AdminConnectionString, DatabaseName, CancellationToken.None);
        AdminConnectionString = PgAdmin.WithDatabase(_server.AdminConnectionString, DatabaseName);
    }

    public async Task DisposeAsync()
    {
        if (_server is not null && DatabaseName.Length > 0)
        {
            await new DemoDatabase(NullLogger<DemoDatabase>.Instance).DropAsync(_server.AdminConnectionString, DatabaseName, CancellationToken.None);
        }
    }

    /// <summary>One value, read over a connection of its own (unpooled: the fixture drops the database at the end).</summary>
    public Task<object?> ScalarAsync(string sql, string? connectionString = null) =>
        Db.ScalarAsync<object?>(Unpooled(connectionString ?? AdminConnectionString), sql);

    public Task<List<string>> ColumnAsync(string sql) => Db.ColumnAsync(Unpooled(AdminConnectionString), sql);

    private static string Unpooled(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;
}
