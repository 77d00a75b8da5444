using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Rose.Core;
using Rose.Core.Audit;
using Rose.Core.Configuration;
using Rose.Core.Execution;
using Rose.Core.Identity;
using Rose.Core.Policy;
using Rose.Core.Control;

namespace Rose.Integration.Tests;

/// <summary>
/// A real services layer over two fresh databases on the test server: a control database
/// (schema applied by the real bootstrap) and a target named "t".
/// </summary>
internal sealed class PipelineHarness : IAsyncDisposable
{
    private PipelineHarness(ServiceProvider services, RoseRuntime runtime, string targetConnection, string controlConnection)
    {
        Services = services;
        Runtime = runtime;
        TargetConnection = targetConnection;
        ControlConnection = controlConnection;
    }

    public ServiceProvider Services { get; }
    public RoseRuntime Runtime { get; }
    public string TargetConnection { get; }
    public string ControlConnection { get; }

    public ExecutionService Execution => Services.GetRequiredService<ExecutionService>();

    public static readonly Actor Alice = new("alice", "Alice", ActorKind.Human, "dev");

    /// <summary>The seed policy over "t", plus whatever a test adds.</summary>
    public static SqlPolicy SeedPolicy(params string[] extraAllowed) => new()
    {
        AllowedDatabases = ["t"],
        AllowedOperations = ["SELECT", "INSERT", "UPDATE", "DELETE", "CREATE INDEX", "CREATE TABLE", .. extraAllowed],
        RequiresApproval = ["DROP", "TRUNCATE", "ALTER TABLE"],
        Environment = "dev",
    };

    /// <param name="settings">Extra configuration for the services layer, e.g. "Rose:Migrations:LockWaitSeconds".</param>
    /// <param name="targetConnection">The target "t" when the caller made it (a copy of a seeded template); else a fresh, empty database.</param>
    public static async Task<PipelineHarness> CreateAsync(PostgresServerFixture pg, Action<TargetOptions>? target = null,
        IReadOnlyDictionary<string, string?>? settings = null, string? targetConnection = null)
    {
        var control = await pg.CreateControlDatabaseAsync("control");
        var targetConn = targetConnection ?? await pg.CreateDatabaseAsync("target");
        var targetOptions = new TargetOptions { ConnectionString = targetConn, Environment = "dev" };
        target?.Invoke(targetOptions);
        var options = new RoseOptions { ControlConnection = control, Demo = false, DataDir = Path.GetTempPath() };
        options.Targets["t"] = targetOptions;

        var runtime = await RoseBootstrap.StartAsync(options, NullLoggerFactory.Instance, CancellationToken.None);
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Rose:ControlConnection"] = control,
            ["Rose:DataDir"] = options.DataDir,
            // scripts/test.sh points this at pg_dump of the test server's version (pg_dump refuses newer servers).
            ["Rose:Migrations:PgDumpPath"] = Environment.GetEnvironmentVariable("Rose__Migrations__PgDumpPath"),
        }).AddInMemoryCollection(settings ?? new Dictionary<string, string?>()).Build();
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(config)
            .AddLogging()
            .AddRoseCore(runtime)
            .BuildServiceProvider();
        return new PipelineHarness(services, runtime, targetConn, control);
    }

    /// <summary>A second services layer (another "console instance") over the same control and target databases.</summary>
    /// <param name="settings">Extra configuration for this instance, e.g. "Rose:Validation:AbandonAfterSeconds".</param>
    public static async Task<PipelineHarness> AttachAsync(PipelineHarness first, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var options = new RoseOptions { ControlConnection = first.ControlConnection, Demo = false, DataDir = Path.GetTempPath() };
        options.Targets["t"] = new TargetOptions { ConnectionString = first.TargetConnection, Environment = "dev" };
        var runtime = await RoseBootstrap.StartAsync(options, NullLoggerFactory.Instance, CancellationToken.None);
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Rose:Migrations:PgDumpPath"] = Environment.GetEnvironmentVariable("Rose__Migrations__PgDumpPath"),
            }).AddInMemoryCollection(settings ?? new Dictionary<string, string?>()).Build())
            .AddLogging()
            .AddRoseCore(runtime)
            .BuildServiceProvider();
        return new PipelineHarness(services, runtime, first.TargetConnection, first.ControlConnection);
    }

    public Task<ExecutionOutcome> RunAsync(string sql, SqlPolicy? policy = null, CancellationToken ct = default, Channel channel = Channel.Api) =>
        Execution.ExecuteAsync(new ExecutionRequest(Alice, channel, "t", sql, "test", policy ?? SeedPolicy()), null, ct);

    public async Task<T?> TargetScalarAsync<T>(string sql)
    {
        await using var conn = new NpgsqlConnection(TargetConnection);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        var value = await cmd.ExecuteScalarAsync();
        return value is null or DBNull ? default : (T)value;
    }

    public async Task TargetExecAsync(string sql)
    {
        await using var conn = new NpgsqlConnection(TargetConnection);
        await conn.OpenAsync();
        await SqlScript.ExecuteAsync(conn, null, sql, CancellationToken.None);
    }

    /// <summary>A query of the control database as a test sees it: after the outcomes this harness's runs queued are written.</summary>
    public async Task<T?> ControlScalarAsync<T>(string sql)
    {
        await Services.GetRequiredService<AuditLog>().OutcomesWrittenAsync();
        await using var cmd = Runtime.Control.DataSource.CreateCommand(sql);
        var value = await cmd.ExecuteScalarAsync();
        return value is null or DBNull ? default : (T)value;
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        await Runtime.DisposeAsync();
    }
}
