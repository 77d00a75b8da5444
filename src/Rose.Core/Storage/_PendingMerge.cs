// Temporary: replaced by the storage and parser branches on merge.
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
namespace Rose.Core.Storage
{
    public sealed class EmbeddedPostgresOptions { public required string DataDir { get; init; } }
    public sealed class EmbeddedPostgres : IAsyncDisposable
    {
        public static Task<EmbeddedPostgres> StartAsync(EmbeddedPostgresOptions o, ILogger l, CancellationToken ct) => throw new NotSupportedException();
        public string ConnectionString(string db) => throw new NotSupportedException();
        public Task CreateDatabaseAsync(string n, CancellationToken ct) => throw new NotSupportedException();
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
    public sealed record DemoDatabaseInfo(string ConnectionString, string ReadOnlyConnectionString);
    public static class DemoDatabase { public static Task<DemoDatabaseInfo> EnsureAsync(string a, string b, CancellationToken ct) => throw new NotSupportedException(); }
    public sealed class ControlSchemaMigrator
    {
        public Task<int> MigrateAsync(NpgsqlDataSource ds, CancellationToken ct) => throw new NotSupportedException();
        public Task<bool> IsCurrentAsync(NpgsqlDataSource ds, CancellationToken ct) => throw new NotSupportedException();
    }
}
namespace Rose.Core.Sql
{
    public static class SqlServiceCollectionExtensions { public static IServiceCollection AddRoseSql(this IServiceCollection s) => s; }
}
