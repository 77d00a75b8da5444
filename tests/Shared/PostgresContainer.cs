using System.Globalization;
using System.Security.Cryptography;
using DotNet.Testcontainers.Configurations;
using Npgsql;
using Testcontainers.PostgreSql;

namespace Rose.Tests.Shared;

/// <summary>
/// The run's PostgreSQL server as a Testcontainers container from a local image (rose-pg:17 and
/// rose-pg:15 are built from Debian's packages by docker/postgres/build-image.sh; no registry is used).
/// The port is published on 127.0.0.1 only; Ryuk is off, so the test process removes the container at
/// exit and a detached watchdog removes it when the process is killed.
/// </summary>
internal sealed class PostgresContainer
{
    /// <summary>Environment variable naming the image (rose-pg:17, rose-pg:15); unset means no container.</summary>
    public const string ImageVariable = "ROSE_TEST_PG_IMAGE";

    /// <summary>Label on every test container: its value is the owning test process id.</summary>
    public const string OwnerLabel = "rose.test.owner";

    /// <summary>Label whose value is unique to one fixture start: what the watchdog removes.</summary>
    public const string RunLabel = "rose.test.run";

    private readonly PostgreSqlContainer _container;

    private PostgresContainer(PostgreSqlContainer container, string adminConnectionString)
    {
        _container = container;
        AdminConnectionString = adminConnectionString;
    }

    public string AdminConnectionString { get; }

    /// <summary>
    /// Starts a container from the image ROSE_TEST_PG_IMAGE names, or returns null when it names none (the
    /// caller then uses the installed binaries, as a plain `dotnet test` always has). An image that was asked
    /// for but cannot start is an error, never a silent fallback to another server version.
    /// </summary>
    public static async Task<PostgresContainer?> TryStartAsync()
    {
        var requested = Environment.GetEnvironmentVariable(ImageVariable);
        if (string.IsNullOrWhiteSpace(requested))
        {
            return null;
        }
        var image = requested.Trim();
        var dockerCli = FindOnPath("docker");

        // No reaper container: its image cannot be pulled here, and the watchdog does its job.
        TestcontainersSettings.ResourceReaperEnabled = false;
        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var run = Guid.NewGuid().ToString("N");
        if (dockerCli is not null)
        {
            // Watch before the container exists: a test process killed while the server starts leaves nothing.
            ExitWatchdog.StartForContainers(Environment.ProcessId, dockerCli, $"{RunLabel}={run}");
        }
        else
        {
            global::System.Console.Error.WriteLine("No docker program on PATH: the test container is removed at exit, but not if the test process is killed.");
        }
        var container = new PostgreSqlBuilder(image)
            .WithUsername("postgres")
            .WithPassword(password)
            .WithDatabase("postgres")
            .WithImagePullPolicy(_ => false)
            .WithLabel(OwnerLabel, Environment.ProcessId.ToString(CultureInfo.InvariantCulture))
            .WithLabel(RunLabel, run)
            // Console test classes run in parallel, each with its own app: its pools, LISTEN connections (approvals, API-key
            // changes) and background services (recovery, claims, cleanup) together need far more than the default 100.
            // A throwaway server: durability buys nothing here, and without fsync CREATE DATABASE (every test class makes
            // several) and each commit stop waiting on the disk. A clean restart keeps everything; only a host crash would not.
            // No autovacuum: a run makes and keeps hundreds of short-lived databases, and the launcher visits each of them
            // in turn (a forked worker per visit) on the same two cores the tests need; tests that need statistics ANALYZE.
            // No JIT: compiling a plan costs far more CPU than the seeded tables' queries it would speed up.
            // pg_stat_statements loaded at start, as on most production servers (and Rose's embedded cluster): the
            // Performance page's slow-query list is then tested as people see it (a target that has not run
            // CREATE EXTENSION still gets the "how to enable it" answer).
            .WithCommand("-c", "max_connections=600", "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
                "-c", "autovacuum=off", "-c", "jit=off", "-c", "shared_preload_libraries=pg_stat_statements")
            .WithCreateParameterModifier(p =>
            {
                // Testcontainers publishes on every address by default; tests reach the server on loopback only.
                foreach (var bindings in p.HostConfig?.PortBindings?.Values ?? [])
                {
                    foreach (var binding in bindings)
                    {
                        binding.HostIP = "127.0.0.1";
                    }
                }
            })
            .Build();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await container.StartAsync(timeout.Token);
        }
        catch (Exception ex)
        {
            await RemoveQuietlyAsync(container);
            throw new InvalidOperationException(
                $"{ImageVariable}={image} was asked for, but its container did not start: {FirstLine(ex.Message)} " +
                "Build the image with docker/postgres/build-image.sh (scripts/test.sh does); with a Docker engine older " +
                "than API 1.44 set DOCKER_API_VERSION to its version (scripts/test.sh does); or unset the variable to use the installed binaries.", ex);
        }

        // The mapped port is on 127.0.0.1 (above); name that address, not "localhost", which may resolve to ::1.
        var admin = new NpgsqlConnectionStringBuilder(container.GetConnectionString()) { Host = "127.0.0.1" };
        return new PostgresContainer(container, admin.ConnectionString);
    }

    /// <summary>Removes the container from ProcessExit (synchronous there); the watchdog covers a killed process.</summary>
    public void RemoveFromExitHandler(TimeSpan timeout)
    {
        try
        {
            if (!_container.DisposeAsync().AsTask().Wait(timeout))
            {
                global::System.Console.Error.WriteLine($"Test container {_container.Id[..12]} was not removed in time; the watchdog removes it.");
            }
        }
        catch (AggregateException ex)
        {
            global::System.Console.Error.WriteLine($"Could not remove test container {_container.Id[..12]}: {ex.InnerException?.Message}");
        }
    }

    private static async Task RemoveQuietlyAsync(PostgreSqlContainer container)
    {
        try
        {
            await container.DisposeAsync();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            global::System.Console.Error.WriteLine($"Could not remove a test container that failed to start: {FirstLine(ex.Message)}");
        }
    }

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();

    private static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, program))
            .FirstOrDefault(File.Exists);
}
