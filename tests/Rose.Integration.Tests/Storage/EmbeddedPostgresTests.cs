using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Rose.Core.Embedded;
using Rose.Core.Sql;

namespace Rose.Integration.Tests.Storage;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
/// <summary>Each test runs its own cluster in its own temp DataDir (not the shared test server).</summary>
public sealed class EmbeddedPostgresTests : IAsyncLifetime
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "rose-ep-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly List<EmbeddedPostgres> _servers = [];

    private EmbeddedPostgresOptions Options(int port = 0) => new() { DataDir = _dataDir, Port = port, UnsafeNoFsync = true };

    private async Task<EmbeddedPostgres> StartAsync(EmbeddedPostgresOptions? options = null, Microsoft.Extensions.Logging.ILogger? logger = null)
    {
        var server = await EmbeddedPostgres.StartAsync(options ?? Options(), logger ?? NullLogger.Instance, CancellationToken.None);
        _servers.Add(server);
        return server;
    }

    [Fact]
    public async Task StartAsync_StopThenStartAgain_ReusesDataAndLeavesNoProcess()
    {
        var first = await StartAsync();
        await ExecuteAsync(first.ConnectionString("postgres"), "CREATE TABLE kept (id int); INSERT INTO kept VALUES (42)");
        var firstPid = first.ServerProcessId;
        Assert.NotNull(firstPid);

        await first.StopAsync(CancellationToken.None);

        Assert.False(IsPostgres(firstPid.Value), $"postgres pid {firstPid} still runs after StopAsync");
        Assert.False(File.Exists(Path.Combine(first.ClusterDirectory, "postmaster.pid")));
        var second = await StartAsync();
        Assert.Equal(first.ClusterDirectory, second.ClusterDirectory);
        Assert.Equal(42, await ScalarAsync(second.ConnectionString("postgres"), "SELECT id FROM kept"));
        var secondPid = second.ServerProcessId!.Value;
        await second.DisposeAsync();
        Assert.False(IsPostgres(secondPid));
    }

    [Fact]
    public async Task StartAsync_ServerLeftRunningByCrashedRun_StopsItAndStarts()
    {
        var crashed = await StartAsync();
        var leftoverPid = crashed.ServerProcessId!.Value;

        // The "crashed" instance never stops; a new start on the same DataDir must take the cluster over.
        var next = await StartAsync();

        Assert.False(IsPostgres(leftoverPid));
        Assert.NotEqual(leftoverPid, next.ServerProcessId);
        Assert.Equal(1, await ScalarAsync(next.ConnectionString("postgres"), "SELECT 1"));
    }

    [Fact]
    public async Task StartAsync_StalePidFile_RemovesItAndStarts()
    {
        var first = await StartAsync();
        var pidFile = Path.Combine(first.ClusterDirectory, "postmaster.pid");
        await first.StopAsync(CancellationToken.None);
        // A pid that is certainly not a postgres process: a short-lived process that has exited.
        using (var gone = System.Diagnostics.Process.Start("true"))
        {
            await gone.WaitForExitAsync();
            await File.WriteAllTextAsync(pidFile, $"{gone.Id}\n{first.ClusterDirectory}\n");
        }

        var second = await StartAsync();

        Assert.Equal(1, await ScalarAsync(second.ConnectionString("postgres"), "SELECT 1"));
    }

    [Fact]
    public async Task StartAsync_PortInUse_ThrowsPortInUse()
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var port = ((IPEndPoint)holder.LocalEndpoint).Port;

        var ex = await Assert.ThrowsAsync<PortInUseException>(() => StartAsync(Options(port)));

        Assert.Equal(port, ex.Port);
        Assert.Contains(port.ToString(System.Globalization.CultureInfo.InvariantCulture), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_BinDirWithoutServer_ThrowsNamingPackage()
    {
        var options = new EmbeddedPostgresOptions { DataDir = _dataDir, BinDir = "/nonexistent/bin" };

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => StartAsync(options));

        Assert.Contains("'postgresql'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("initdb", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_FirstRun_PasswordPrivateRequiredAndNotLogged()
    {
        var logger = new CapturingLogger<EmbeddedPostgresTests>();

        var server = await StartAsync(logger: logger);

        var password = new NpgsqlConnectionStringBuilder(server.ConnectionString("postgres")).Password!;
        Assert.True(password.Length >= 32);
        var file = Path.Combine(_dataDir, "superuser.password");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.NotEmpty(logger.Lines);
        Assert.DoesNotContain(logger.Lines, line => line.Contains(password, StringComparison.Ordinal));
        Assert.DoesNotContain(password, server.ToString(), StringComparison.Ordinal);
        Assert.Equal("127.0.0.1", server.Host);
        Assert.Equal("rose", await ScalarAsync(server.ConnectionString("postgres"), "SELECT current_user::text"));
        var wrong = new NpgsqlConnectionStringBuilder(server.ConnectionString("postgres")) { Password = "wrong" };
        var ex = await Assert.ThrowsAsync<PostgresException>(() => ScalarAsync(wrong.ConnectionString, "SELECT 1"));
        Assert.Equal("28P01", ex.SqlState);
    }

    [Fact]
    public async Task CreateDatabaseAsync_NameNeedingQuotes_CreatedOnceAndDropped()
    {
        var server = await StartAsync();
        const string name = "we\"ird name; DROP";

        var created = await server.CreateDatabaseAsync(name, CancellationToken.None);
        var again = await server.CreateDatabaseAsync(name, CancellationToken.None);
        var exists = await ScalarAsync(server.ConnectionString(name), "SELECT 1");
        await server.DropDatabaseAsync(name, CancellationToken.None);

        Assert.True(created);
        Assert.False(again);
        Assert.Equal(1, exists);
        Assert.Equal(0L, await ScalarAsync(server.ConnectionString("postgres"), $"SELECT count(*) FROM pg_database WHERE datname = {PgIdentifiers.QuoteLiteral(name)}"));
    }

    [Fact]
    public async Task StartAsync_DataDirBehindPrivateParent_ServerAccountCanReachCluster()
    {
        // As root the default DataDir sits under /root (mode 700): the cluster must still start, either
        // through setfacl grants or in the recorded fallback location.
        var privateParent = Path.Combine(_dataDir, "private");
        Directory.CreateDirectory(privateParent);
        File.SetUnixFileMode(_dataDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.SetUnixFileMode(privateParent, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var options = new EmbeddedPostgresOptions { DataDir = Path.Combine(privateParent, "rose"), UnsafeNoFsync = true };

        var server = await StartAsync(options);

        Assert.Equal(1, await ScalarAsync(server.ConnectionString("postgres"), "SELECT 1"));
        if (!Environment.IsPrivilegedProcess)
        {
            Assert.Equal(Path.Combine(options.DataDir, "pgdata"), server.ClusterDirectory);
        }
        else if (!server.ClusterDirectory.StartsWith(options.DataDir, StringComparison.Ordinal))
        {
            Assert.Equal(server.ClusterDirectory + "\n", await File.ReadAllTextAsync(Path.Combine(options.DataDir, "pgdata.location")));
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        try
        {
            foreach (var server in _servers)
            {
                await server.DisposeAsync();
                if (!server.ClusterDirectory.StartsWith(_dataDir, StringComparison.Ordinal) && Directory.Exists(server.ClusterDirectory))
                {
                    Directory.Delete(Path.GetDirectoryName(server.ClusterDirectory)!, recursive: true);
                }
            }
        }
        finally
        {
            if (Directory.Exists(_dataDir))
            {
                Directory.Delete(_dataDir, recursive: true);
            }
        }
    }

    private static bool IsPostgres(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Contains("postgres", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static async Task ExecuteAsync(string cs, string sql)
    {
        await using var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(cs) { Pooling = false }.ConnectionString);
        await conn.OpenAsync();
        await Rose.Core.Control.SqlScript.ExecuteAsync(conn, null, sql, CancellationToken.None);
    }

    private static async Task<object?> ScalarAsync(string cs, string sql)
    {
        await using var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(cs) { Pooling = false }.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return await cmd.ExecuteScalarAsync();
    }
}
