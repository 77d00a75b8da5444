using System.Security.Cryptography;
using Rose.Core.Control;
using Rose.E2E.Tests.Infrastructure;

namespace Rose.E2E.Tests.ScaleOut;

/// <summary>
/// Two console processes, A and B, as two hosts behind a balancer would be: separate HOME and data dirs
/// (so no shared default key folder), one control database reached as the least-privileged control role,
/// one `demo` target, and the same Data Protection key file (what an operator gives every replica).
/// Both are started at the same moment, so their start-up work races for real.
/// </summary>
public sealed class TwoConsolesFixture : IAsyncLifetime
{
    public const string AgentKey = "rose_e2e_two_hosts_key_0123456789abcdef";

    private readonly string root = Path.Combine(Path.GetTempPath(), "rose-two-hosts-" + Guid.NewGuid().ToString("N")[..8]);
    private ConsoleProcess? a;
    private ConsoleProcess? b;
    private ChromiumBrowser? chromium;

    public PostgresServerFixture Postgres { get; } = new();

    /// <summary>Superuser connection to the control database, for checking what the consoles wrote.</summary>
    public string ControlConnection { get; private set; } = string.Empty;

    /// <summary>Superuser connection to the demo target.</summary>
    public string TargetConnection { get; private set; } = string.Empty;

    public ConsoleProcess A => a ?? throw new InvalidOperationException("Console A is not started.");

    public ConsoleProcess B => b ?? throw new InvalidOperationException("Console B is not started.");

    public ChromiumBrowser Chromium => chromium ?? throw new InvalidOperationException("Chromium is not started.");

    public async Task InitializeAsync()
    {
        await Postgres.InitializeAsync();
        ControlConnection = await Postgres.CreateDatabaseAsync("two_hosts_control");
        TargetConnection = await Postgres.CreateDatabaseAsync("two_hosts_demo");
        await using (var conn = new NpgsqlConnection(TargetConnection))
        {
            await conn.OpenAsync();
            foreach (var sql in new[] { "CREATE TABLE load_rows (host text NOT NULL, n int NOT NULL, PRIMARY KEY (host, n))", "CREATE TABLE scratch (id int)" })
            {
                await using var cmd = new NpgsqlCommand(sql, conn);
                await cmd.ExecuteNonQueryAsync();
            }
        }

        // The superuser only creates the control role; both consoles work as it.
        var role = ControlRole.For(ControlConnection, "rose_control_" + Guid.NewGuid().ToString("N")[..8]);
        await role.EnsureAsync(ControlConnection, CancellationToken.None);
        Directory.CreateDirectory(root);
        var keyFile = Path.Combine(root, "data-protection.key");
        await File.WriteAllBytesAsync(keyFile, RandomNumberGenerator.GetBytes(32));

        var started = await Task.WhenAll(
            ConsoleProcess.StartAsync(Host("a", role.ConnectionString(ControlConnection), keyFile)!),
            ConsoleProcess.StartAsync(Host("b", role.ConnectionString(ControlConnection), keyFile)!));
        (a, b) = (started[0], started[1]);
        chromium = await ChromiumBrowser.LaunchAsync();
    }

    private Dictionary<string, string> Host(string name, string control, string keyFile)
    {
        var home = Path.Combine(root, name + "-home");
        Directory.CreateDirectory(home);
        return new Dictionary<string, string>
        {
            ["HOME"] = home,
            ["Rose__DataDir"] = Path.Combine(root, name + "-data"),
            ["Rose__ControlConnection"] = control,
            ["Rose__DataProtection__KeyFile"] = keyFile,
            ["Rose__Targets__demo__ConnectionString"] = TargetConnection,
            ["Rose__Targets__demo__Environment"] = "dev",
            ["Rose__Agents__rose__ApiKey"] = AgentKey,
            ["Rose__Auth__AgentRequestsPerMinute"] = "100000",
        };
    }

    public async Task DisposeAsync()
    {
        if (chromium is not null)
        {
            await chromium.DisposeAsync();
        }

        foreach (var console in new[] { a, b })
        {
            if (console is not null)
            {
                await console.DisposeAsync();
            }
        }

        await Postgres.DisposeAsync();
        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
            // A log file still held open; the temp folder is cleaned by the OS.
        }
    }
}
