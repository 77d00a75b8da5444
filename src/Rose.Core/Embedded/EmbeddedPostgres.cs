using Npgsql;

namespace Rose.Core.Embedded;

/// <summary>
/// A private PostgreSQL cluster started from the installed server programs: created with initdb on first
/// use, reused afterwards, listening on 127.0.0.1 only, with a random superuser password kept in a 0600
/// file in DataDir. Disposing stops the server.
/// </summary>
public sealed class EmbeddedPostgres : IAsyncDisposable
{
    private readonly EmbeddedPostgresOptions _options;
    private readonly ClusterLocation _location;
    private readonly string _binDir;
    private readonly string _password;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _stopLock = new(1, 1);
    private bool _stopped;

    private EmbeddedPostgres(
        EmbeddedPostgresOptions options, ClusterLocation location, string binDir, string password, int port, ILogger logger)
    {
        _options = options;
        _location = location;
        _binDir = binDir;
        _password = password;
        Port = port;
        _logger = logger;
    }

    public string Host => "127.0.0.1";

    public int Port { get; }

    public string Superuser => _options.Superuser;

    /// <summary>The cluster's data directory (DataDir/pgdata, or the fallback recorded in DataDir/pgdata.location).</summary>
    public string ClusterDirectory => _location.ClusterDir;

    /// <summary>The server's log file (inside the cluster directory).</summary>
    public string LogFile => _location.LogFile;

    /// <summary>The postmaster's process id while running (from postmaster.pid), else null.</summary>
    public int? ServerProcessId => ReadPostmasterPid(_location.PidFile);

    /// <summary>A superuser connection string for <paramref name="database"/>, password included: never log it.</summary>
    public string ConnectionString(string database) => new NpgsqlConnectionStringBuilder
    {
        Host = Host,
        Port = Port,
        Username = Superuser,
        Password = _password,
        Database = database,
    }.ConnectionString;

    /// <summary>Connection details without the password, for logs and diagnostics.</summary>
    public override string ToString() => $"postgresql://{Superuser}@{Host}:{Port} ({ClusterDirectory})";

    /// <summary>Starts the cluster under options.DataDir, creating it on first use, and waits until it accepts connections.</summary>
    public static async Task<EmbeddedPostgres> StartAsync(EmbeddedPostgresOptions options, ILogger logger, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        if (string.IsNullOrWhiteSpace(options.DataDir))
        {
            throw new ArgumentException("EmbeddedPostgresOptions.DataDir (Rose:DataDir) must be set.", nameof(options));
        }
        if (!PgIdentifiers.IsSimpleName(options.Superuser))
        {
            throw new ArgumentException($"The superuser name '{options.Superuser}' must be lower-case letters, digits and underscores.", nameof(options));
        }
        if (options.Port is < 0 or > 65535)
        {
            throw new ArgumentException($"The port {options.Port} is not a TCP port (0 = pick a free one).", nameof(options));
        }

        var binDir = await PostgresBinaries.ResolveAsync(options.BinDir, ct);
        if (options.Port != 0)
        {
            // Fail before any slow work when a fixed port is taken.
            FreePort.EnsureAvailable(options.Port);
        }
        var location = await ClusterLocation.ResolveAsync(options.DataDir, options.OsUserWhenRoot, logger, ct);
        var cluster = new ClusterControl(binDir, location, logger);

        var password = await cluster.EnsureInitializedAsync(options.Superuser, options.UnsafeNoFsync, ct);
        await cluster.ClearStaleServerAsync(ct);

        // A port picked by us can be taken between the check and the server's bind: retry with a new one.
        var attempts = options.Port == 0 ? 3 : 1;
        for (var attempt = 1; ; attempt++)
        {
            var port = options.Port == 0 ? FreePort.Pick() : FreePort.EnsureAvailable(options.Port);
            var server = new EmbeddedPostgres(options, location, binDir, password, port, logger);
            try
            {
                await cluster.StartServerAsync(port, BuildSettings(options, binDir), options.StartTimeout, ct);
                await server.WaitUntilReadyAsync(ct);
                logger.LogInformation("Embedded PostgreSQL ready at {Endpoint}", server.ToString());
                return server;
            }
            catch (PortInUseException) when (attempt < attempts)
            {
                logger.LogWarning("Port {Port} was taken while PostgreSQL started; trying another", port);
            }
            catch
            {
                await server.StopAsync(CancellationToken.None);
                throw;
            }
        }
    }

    /// <summary>Stops a server left running for options.DataDir by a process that ended without stopping it; no-op when none runs.</summary>
    public static async Task StopLeftoverAsync(EmbeddedPostgresOptions options, ILogger logger, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        var binDir = await PostgresBinaries.ResolveAsync(options.BinDir, ct);
        var location = await ClusterLocation.ResolveAsync(options.DataDir, options.OsUserWhenRoot, logger, ct);
        if (location.IsInitialized)
        {
            await new ClusterControl(binDir, location, logger).ClearStaleServerAsync(ct);
        }
    }

    /// <summary>Creates a database unless it exists (IF NOT EXISTS semantics; the name is quoted, so any name works).</summary>
    /// <returns>True when this call created it.</returns>
    public Task<bool> CreateDatabaseAsync(string name, CancellationToken ct) =>
        PgAdmin.CreateDatabaseIfMissingAsync(ConnectionString("postgres"), name, ct);

    /// <summary>Drops a database if it exists, ending its sessions first.</summary>
    public Task DropDatabaseAsync(string name, CancellationToken ct) =>
        PgAdmin.DropDatabaseIfExistsAsync(ConnectionString("postgres"), name, ct);

    /// <summary>Stops the server (fast shutdown: open sessions are rolled back) and waits until its processes are gone.</summary>
    public async Task StopAsync(CancellationToken ct = default)
    {
        await _stopLock.WaitAsync(ct);
        try
        {
            if (_stopped)
            {
                return;
            }
            await new ClusterControl(_binDir, _location, _logger).StopServerAsync(ct);
            _stopped = true;
            _logger.LogInformation("Embedded PostgreSQL at {Endpoint} stopped", ToString());
        }
        finally
        {
            _stopLock.Release();
        }
    }

    /// <summary>
    /// Stops the server synchronously by signalling the postmaster (fast shutdown, then immediate), starting no
    /// process. Meant for AppDomain.ProcessExit handlers, where awaiting pg_ctl can hang during runtime shutdown.
    /// </summary>
    /// <returns>True when no server process remains.</returns>
    public bool StopFromExitHandler(TimeSpan timeout)
    {
        if (_stopped)
        {
            return true;
        }
        var pid = ServerProcessId;
        var gone = pid is null || PostmasterSignal.Stop(pid.Value, timeout);
        _stopped = gone;
        return gone;
    }

    /// <summary>Stops the server; safe to call more than once (the semaphore needs no disposal: no wait handle is used).</summary>
    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None);

    private static List<string> BuildSettings(EmbeddedPostgresOptions options, string binDir)
    {
        var settings = new List<string>
        {
            "listen_addresses=127.0.0.1",
            // No Unix socket: nothing to clean up, no path-length limits, and only TCP with SCRAM is open.
            "unix_socket_directories=",
        };
        if (!options.ServerSettings.ContainsKey("max_connections"))
        {
            settings.Add("max_connections=100");
        }
        if (options.UnsafeNoFsync)
        {
            settings.Add("fsync=off");
            settings.Add("synchronous_commit=off");
            settings.Add("full_page_writes=off");
        }
        // The performance advisor reads pg_stat_statements, which must be loaded at server start; only
        // when the server ships it (Debian's postgresql-N does), or the server would refuse to start.
        if (!options.ServerSettings.ContainsKey("shared_preload_libraries")
            && File.Exists(Path.Combine(binDir, "..", "lib", "pg_stat_statements.so")))
        {
            settings.Add("shared_preload_libraries=pg_stat_statements");
        }
        settings.AddRange(options.ServerSettings.Select(kv => kv.Key + "=" + kv.Value));
        return settings;
    }

    /// <summary>Polls a real connection: pg_ctl's wait only says the postmaster is up, not that logins work.</summary>
    private async Task WaitUntilReadyAsync(CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + _options.StartTimeout;
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString("postgres")) { Pooling = false, Timeout = 5 };
        Exception? last = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                await using var conn = new NpgsqlConnection(builder.ConnectionString);
                await conn.OpenAsync(ct);
                await using var cmd = new NpgsqlCommand("SELECT 1", conn);
                await cmd.ExecuteScalarAsync(ct);
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
            {
                last = ex;
                await Task.Delay(200, ct);
            }
        }
        throw new InvalidOperationException(
            $"PostgreSQL at {Host}:{Port} did not accept connections within {_options.StartTimeout.TotalSeconds:0} s " +
            $"({last?.Message}). Server log {LogFile}:\n{ClusterControl.LogTail(LogFile)}", last);
    }

    internal static int? ReadPostmasterPid(string pidFile)
    {
        try
        {
            var first = File.ReadLines(pidFile).FirstOrDefault();
            return int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
