using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Rose.Core.Agents;
using Rose.Core.Configuration;
using Rose.Core.Control;

namespace Rose.Integration.Tests.Audit;

/// <summary>Which agent keys survive a restart: published development keys, keys the configuration dropped, old keys.</summary>
[Collection("postgres")]
public sealed class AgentKeyRulesTests(PostgresServerFixture pg)
{
    private const string DevKey = "rose_dev_key_change_me_0000000000";
    private const string KeyA = "rose_config_key_aaaaaaaaaaaaaaaa";
    private const string KeyB = "rose_config_key_bbbbbbbbbbbbbbbb";

    private static RoseOptions Options(string control, string? key, bool withAgent = true)
    {
        var options = new RoseOptions { ControlConnection = control, Demo = false, DataDir = Path.GetTempPath() };
        if (withAgent)
        {
            options.Agents["bot"] = new AgentOptions { Name = "Bot", ApiKey = key, Policy = new SqlPolicyOptions { AllowedOperations = ["SELECT"] } };
        }

        return options;
    }

    private static async Task<bool> WorksAsync(string control, string key)
    {
        await using var db = new ControlDatabase(control);
        return await new AgentStore(db).AuthenticateAsync(key, CancellationToken.None) is not null;
    }

    private static async Task StartAsync(RoseOptions options, bool development, ILoggerFactory? loggers = null)
    {
        await using var runtime = await RoseBootstrap.StartAsync(options, loggers ?? LoggerFactory.Create(_ => { }), CancellationToken.None, development);
    }

    [Fact]
    public async Task DevelopmentKey_WorksInDevelopment_IsRefusedAndRevokedOutsideIt()
    {
        var control = await pg.CreateControlDatabaseAsync("control");
        var log = new Captured();

        await StartAsync(Options(control, DevKey), development: true);
        Assert.True(await WorksAsync(control, DevKey));
        await StartAsync(Options(control, DevKey), development: false, log.Factory);

        Assert.False(await WorksAsync(control, DevKey));
        Assert.Contains(log.Warnings, w => w.Contains("published development key", StringComparison.Ordinal));
        await using var conn = new NpgsqlConnection(control);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM rose.audit_log WHERE channel = 'admin' AND sql_text LIKE '%revoke the published development key%'", conn);
        Assert.Equal(1L, (long)(await cmd.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task ConfigurationKey_IsRevokedWhenTheConfigurationNoLongerHoldsIt()
    {
        var control = await pg.CreateControlDatabaseAsync("control");

        await StartAsync(Options(control, KeyA), development: false);
        Assert.True(await WorksAsync(control, KeyA));
        await StartAsync(Options(control, KeyB), development: false);
        Assert.False(await WorksAsync(control, KeyA));
        Assert.True(await WorksAsync(control, KeyB));
        await StartAsync(Options(control, null, withAgent: false), development: false);

        Assert.False(await WorksAsync(control, KeyB));
    }

    [Fact]
    public async Task StartUp_WarnsAboutEveryKeyOlderThanItsLifetime()
    {
        var control = await pg.CreateControlDatabaseAsync("control");
        await StartAsync(Options(control, KeyA), development: false);
        await using (var conn = new NpgsqlConnection(control))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand("UPDATE rose.api_keys SET created_at = now() - interval '120 days'", conn);
            await cmd.ExecuteNonQueryAsync();
        }

        var log = new Captured();
        var options = Options(control, KeyA);
        await StartAsync(options, development: false, log.Factory);
        var quiet = new Captured();
        options.Agents["bot"].KeyLifetimeDays = 365;
        await StartAsync(options, development: false, quiet.Factory);

        Assert.Contains(log.Warnings, w => w.Contains("rose_config_", StringComparison.Ordinal) && w.Contains("past its lifetime of 90 days", StringComparison.Ordinal));
        Assert.DoesNotContain(quiet.Warnings, w => w.Contains("past its lifetime", StringComparison.Ordinal));
    }

    /// <summary>Collects warnings written through a real logger factory.</summary>
    private sealed class Captured : ILoggerProvider
    {
        private readonly ConcurrentQueue<string> warnings = new();

        public Captured() => Factory = LoggerFactory.Create(b => b.AddProvider(this));

        public ILoggerFactory Factory { get; }

        public IReadOnlyCollection<string> Warnings => warnings;

        public ILogger CreateLogger(string categoryName) => new Sink(warnings);

        public void Dispose()
        {
        }

        private sealed class Sink(ConcurrentQueue<string> warnings) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (logLevel >= LogLevel.Warning)
                {
                    warnings.Enqueue(formatter(state, exception));
                }
            }
        }
    }
}
