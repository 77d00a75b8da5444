using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Rose.Core.Control;
using Rose.Core.Embedded;
using Rose.Core.Sql;

namespace Rose.Tests.Shared;

/// <summary>
/// The one PostgreSQL server of a test run (per test assembly), the first of:
/// the existing server named by ROSE_TEST_PG (an admin connection string);
/// a Testcontainers container from the image ROSE_TEST_PG_IMAGE names (see <see cref="PostgresContainer"/>);
/// a throwaway EmbeddedPostgres cluster from the installed binaries in a temp directory (fsync off).
/// Started on first use, removed when the test process exits (pass or fail); a detached watchdog removes it
/// when the process is killed, and clusters it missed are stopped and deleted by the next run.
/// </summary>
public sealed class PostgresServer
{
    /// <summary>Environment variable with an admin connection string to use instead of a throwaway server.</summary>
    public const string ExternalServerVariable = "ROSE_TEST_PG";

    private const string TempPrefix = "rose-test-pg-";
    private const string OwnerFile = "owner.pid";

    private static readonly Lazy<Task<PostgresServer>> Shared = new(StartAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly HashSet<string> _databases = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<Task<string>>> _templates = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    private PostgresServer(string adminConnectionString, EmbeddedPostgres? embedded, string? tempDir, bool throwaway)
    {
        AdminConnectionString = adminConnectionString;
        Embedded = embedded;
        TempDir = tempDir;
        Throwaway = throwaway;
    }

    /// <summary>
    /// Whether the server goes away with the test process (a container or a temp cluster of this run): its
    /// databases need no drop, which is one round of server work per database (under two loaded lanes up to a
    /// second each, hundreds at the end of a big collection). A server named by ROSE_TEST_PG outlives the run.
    /// </summary>
    public bool Throwaway { get; }

    /// <summary>Superuser connection string to the postgres database.</summary>
    public string AdminConnectionString { get; }

    /// <summary>The throwaway host cluster, or null when the server is a container or ROSE_TEST_PG names one.</summary>
    public EmbeddedPostgres? Embedded { get; }

    /// <summary>The throwaway server's Rose DataDir (deleted at exit), or null.</summary>
    public string? TempDir { get; }

    /// <summary>The run's server, starting it on first call. All callers share one start.</summary>
    public static Task<PostgresServer> GetAsync() => Shared.Value;

    /// <summary>A new database name unique to this run, remembered so it is dropped at exit.</summary>
    public string ReserveDatabaseName(string? prefix)
    {
        var clean = new string((prefix ?? "t").ToLowerInvariant().Select(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) ? c : '_').ToArray());
        if (clean.Length == 0 || char.IsAsciiDigit(clean[0]))
        {
            clean = "t_" + clean;
        }
        var name = $"{clean[..Math.Min(clean.Length, 30)]}_{Guid.NewGuid().ToString("N")[..12]}";
        lock (_gate)
        {
            _databases.Add(name);
        }
        return name;
    }

    /// <summary>
    /// How a test database is copied from its template. FILE_COPY copies the template's files once; the default
    /// (WAL_LOG, PostgreSQL 15+) reads every page through shared buffers and writes it to the WAL as well, which
    /// measured about 1.5 times the time for these small databases, made two for every integration test. The
    /// checkpoints FILE_COPY asks for cost little on a server without fsync.
    /// </summary>
    private const string CopyStrategy = "STRATEGY FILE_COPY";

    /// <summary>Creates a fresh database (a copy of template1) and returns a superuser connection string to it.</summary>
    public async Task<string> CreateDatabaseAsync(string? prefix, CancellationToken ct)
    {
        var name = ReserveDatabaseName(prefix);
        await using var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(AdminConnectionString) { Pooling = false }.ConnectionString);
        await conn.OpenAsync(ct);
        await CreateCopyAsync(conn, name, "template1", ct);
        return PgAdmin.WithDatabase(AdminConnectionString, name);
    }

    private static async Task CreateCopyAsync(NpgsqlConnection admin, string name, string template, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var create = new NpgsqlCommand(
                    $"CREATE DATABASE {PgIdentifiers.QuoteIdentifier(name)} TEMPLATE {PgIdentifiers.QuoteIdentifier(template)} {CopyStrategy}", admin);
                await create.ExecuteNonQueryAsync(ct);
                return;
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.ObjectInUse && attempt < 50)
            {
                // Another copy of the same template is being made at this moment (it holds the template open briefly).
                await Task.Delay(100, ct);
            }
        }
    }

    /// <summary>
    /// Creates a fresh database as a copy of a template built once per run by <paramref name="build"/> (the
    /// control schema, a seeded table): a file copy on the server instead of replaying the same DDL for every
    /// test host, which was a large share of the console suite's time. The template's name is unique to the
    /// run, so a server shared across runs (ROSE_TEST_PG) never serves a template built by older code.
    /// </summary>
    /// <param name="build">Fills the template through the given connection string (unpooled: CREATE DATABASE ...
    /// TEMPLATE refuses a template with open sessions).</param>
    public async Task<string> CreateDatabaseFromTemplateAsync(string? prefix, string template,
        Func<string, CancellationToken, Task> build, CancellationToken ct)
    {
        var templateName = await _templates.GetOrAdd(template,
            key => new Lazy<Task<string>>(() => BuildTemplateAsync(key, build), LazyThreadSafetyMode.ExecutionAndPublication)).Value;
        var name = ReserveDatabaseName(prefix);
        await using var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(AdminConnectionString) { Pooling = false }.ConnectionString);
        await conn.OpenAsync(ct);
        await CreateCopyAsync(conn, name, templateName, ct);
        return PgAdmin.WithDatabase(AdminConnectionString, name);
    }

    private async Task<string> BuildTemplateAsync(string template, Func<string, CancellationToken, Task> build)
    {
        var name = ReserveDatabaseName("template_" + template);
        await PgAdmin.CreateDatabaseIfMissingAsync(AdminConnectionString, name, CancellationToken.None);
        var connection = new NpgsqlConnectionStringBuilder(PgAdmin.WithDatabase(AdminConnectionString, name)) { Pooling = false }.ConnectionString;
        await build(connection, CancellationToken.None);
        return name;
    }

    /// <summary>Ends every session on the named databases (a class's, once it has finished), leaving the databases.</summary>
    public async Task EndSessionsAsync(IReadOnlyCollection<string> names, CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(AdminConnectionString) { Pooling = false }.ConnectionString);
        await conn.OpenAsync(ct);
        await using var end = new NpgsqlCommand(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = ANY($1) AND pid <> pg_backend_pid()", conn);
        end.Parameters.AddWithValue(names.ToArray());
        await end.ExecuteScalarAsync(ct);
    }

    /// <summary>Drops a database (WITH FORCE ends its sessions; pools of other tests are left alone).</summary>
    public async Task DropDatabaseAsync(string name, CancellationToken ct)
    {
        await PgAdmin.DropDatabaseIfExistsAsync(AdminConnectionString, name, ct);
        lock (_gate)
        {
            _databases.Remove(name);
        }
    }

    private static async Task<PostgresServer> StartAsync()
    {
        var external = Environment.GetEnvironmentVariable(ExternalServerVariable);
        if (!string.IsNullOrWhiteSpace(external))
        {
            var admin = PgAdmin.WithDatabase(external, "postgres");
            var server = new PostgresServer(admin, null, null, throwaway: false);
            AppDomain.CurrentDomain.ProcessExit += (_, _) => server.DropRemainingDatabases();
            return server;
        }

        var container = await PostgresContainer.TryStartAsync();
        if (container is not null)
        {
            var inContainer = new PostgresServer(container.AdminConnectionString, null, null, throwaway: true);
            // Databases go with the container; removing it is the whole clean-up.
            AppDomain.CurrentDomain.ProcessExit += (_, _) => container.RemoveFromExitHandler(TimeSpan.FromSeconds(10));
            return inContainer;
        }

        await CleanUpAbandonedAsync();
        var tempDir = Path.Combine(Path.GetTempPath(), TempPrefix + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(tempDir);
        await File.WriteAllTextAsync(Path.Combine(tempDir, OwnerFile), Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var options = TestOptions(tempDir);
        var embedded = await EmbeddedPostgres.StartAsync(options, NullLogger.Instance, CancellationToken.None);
        var started = new PostgresServer(embedded.ConnectionString("postgres"), embedded, tempDir, throwaway: true);
        // xunit v2 has no assembly fixture: ProcessExit runs once the test host finishes, whatever the results,
        // but vstest may kill the host before the handler completes; the watchdog covers that and SIGKILL.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => started.StopAndDelete();
        ExitWatchdog.Start(Environment.ProcessId, embedded.ClusterDirectory, tempDir);
        return started;
    }

    private static EmbeddedPostgresOptions TestOptions(string dataDir) => new()
    {
        DataDir = dataDir,
        UnsafeNoFsync = true,
        // As the container's (PostgresContainer): no autovacuum visiting the run's hundreds of short-lived databases, no JIT.
        ServerSettings = new Dictionary<string, string> { ["max_connections"] = "600", ["autovacuum"] = "off", ["jit"] = "off" },
    };

    private void StopAndDelete()
    {
        try
        {
            // Signal first, before anything slow: the test host may be killed moments after ProcessExit starts
            // (the watchdog then finishes the job). Signals, not pg_ctl: a child process cannot be awaited here.
            if (Embedded is not null && !Embedded.StopFromExitHandler(TimeSpan.FromSeconds(10)))
            {
                global::System.Console.Error.WriteLine($"The test PostgreSQL server in {TempDir} did not stop; the next run cleans it up.");
                return;
            }
            if (Embedded is not null && Directory.Exists(Embedded.ClusterDirectory))
            {
                Directory.Delete(Embedded.ClusterDirectory, recursive: true);
            }
            if (TempDir is not null && Directory.Exists(TempDir))
            {
                Directory.Delete(TempDir, recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            global::System.Console.Error.WriteLine($"Could not stop or delete the test PostgreSQL server in {TempDir}: {ex.Message}");
        }
    }

    private void DropRemainingDatabases()
    {
        string[] names;
        lock (_gate)
        {
            names = [.. _databases];
        }
        NpgsqlConnection.ClearAllPools();
        foreach (var name in names)
        {
            try
            {
                PgAdmin.DropDatabaseIfExistsAsync(AdminConnectionString, name, CancellationToken.None).GetAwaiter().GetResult();
            }
            catch (NpgsqlException ex)
            {
                global::System.Console.Error.WriteLine($"Could not drop test database {name}: {ex.Message}");
            }
        }
    }

    /// <summary>Stops and deletes clusters whose test process died without running ProcessExit (killed, crashed).</summary>
    private static async Task CleanUpAbandonedAsync()
    {
        foreach (var dir in Directory.EnumerateDirectories(Path.GetTempPath(), TempPrefix + "*"))
        {
            if (!int.TryParse(ReadOwner(dir), out var owner) || IsAlive(owner))
            {
                continue;
            }
            try
            {
                var options = TestOptions(dir);
                await EmbeddedPostgres.StopLeftoverAsync(options, NullLogger.Instance, CancellationToken.None);
                Directory.Delete(dir, recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                global::System.Console.Error.WriteLine($"Could not clean up abandoned test cluster {dir}: {ex.Message}");
            }
        }
    }

    private static string? ReadOwner(string dir)
    {
        try
        {
            return File.ReadAllText(Path.Combine(dir, OwnerFile)).Trim();
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
