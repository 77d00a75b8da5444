using System.Security.Cryptography;

namespace Rose.Core.Embedded;

/// <summary>initdb and pg_ctl for one cluster directory, run as the server's OS account when Rose is root.</summary>
internal sealed class ClusterControl(string binDir, ClusterLocation location, ILogger logger)
{
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromMinutes(2);

    private string Tool(string name) => Path.Combine(binDir, name);

    /// <summary>Creates the cluster on first use and returns the superuser password.</summary>
    /// <param name="noSync">Skip initdb's final fsync of every file (throwaway test clusters only; saves seconds).</param>
    public async Task<string> EnsureInitializedAsync(string superuser, bool noSync, CancellationToken ct)
    {
        if (location.IsInitialized)
        {
            if (!File.Exists(location.PasswordFile))
            {
                throw new InvalidOperationException(
                    $"The PostgreSQL cluster in '{location.ClusterDir}' exists but its password file '{location.PasswordFile}' is missing. " +
                    "Restore the file, or delete the cluster directory to start over (this deletes Rose's data).");
            }
            if (location.OsUser is not null)
            {
                // Files restored or copied by root would stop the server from starting.
                await OsProcess.ChownRecursiveAsync(location.ClusterDir, location.OsUser, ct);
            }
            return (await File.ReadAllTextAsync(location.PasswordFile, ct)).Trim();
        }

        if (Directory.Exists(location.ClusterDir) && Directory.EnumerateFileSystemEntries(location.ClusterDir).Any())
        {
            throw new InvalidOperationException(
                $"'{location.ClusterDir}' is not empty but holds no PostgreSQL cluster (no PG_VERSION). Move its contents away; Rose will not overwrite them.");
        }

        var password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))
            .Replace('+', 'A').Replace('/', 'B').TrimEnd('=');
        Directory.CreateDirectory(location.ClusterDir);
        // initdb reads the password from a file so it never appears on a command line (visible in ps).
        var pwFile = Path.Combine(Path.GetDirectoryName(location.ClusterDir)!, $".initdb-{Guid.NewGuid():N}");
        await WritePrivateFileAsync(pwFile, password, ct);
        try
        {
            if (location.OsUser is not null)
            {
                await OsProcess.ChownRecursiveAsync(location.ClusterDir, location.OsUser, ct);
                await OsProcess.ChownRecursiveAsync(pwFile, location.OsUser, ct);
            }
            logger.LogInformation("Creating PostgreSQL cluster in {ClusterDir} (superuser {Superuser})", location.ClusterDir, superuser);
            List<string> args =
            [
                "-D", location.ClusterDir, "-U", superuser, "--pwfile", pwFile,
                "-E", "UTF8", "--locale=C", "--auth-host=scram-sha-256", "--auth-local=scram-sha-256",
            ];
            if (noSync)
            {
                args.Add("--no-sync");
            }
            var result = await OsProcess.RunAsync(Tool("initdb"), args, location.OsUser, ToolTimeout, ct);
            if (!result.Succeeded)
            {
                throw new InvalidOperationException($"initdb failed for '{location.ClusterDir}' (exit {result.ExitCode}): {result.Output}");
            }
        }
        finally
        {
            File.Delete(pwFile);
        }
        await WritePrivateFileAsync(location.PasswordFile, password, ct);
        return password;
    }

    /// <summary>
    /// A crashed Rose can leave either a live server (it runs detached) or a postmaster.pid naming a dead
    /// process. Stop the first, remove the second, so the start that follows owns the cluster.
    /// </summary>
    public async Task ClearStaleServerAsync(CancellationToken ct)
    {
        var pid = EmbeddedPostgres.ReadPostmasterPid(location.PidFile);
        if (pid is null)
        {
            return;
        }
        if (IsPostgresProcess(pid.Value))
        {
            logger.LogWarning("A PostgreSQL server (pid {Pid}) from an earlier run still uses {ClusterDir}; stopping it", pid, location.ClusterDir);
            await StopServerAsync(ct);
            return;
        }
        logger.LogWarning("Removing stale postmaster.pid (pid {Pid} is not running) in {ClusterDir}", pid, location.ClusterDir);
        File.Delete(location.PidFile);
    }

    public async Task StartServerAsync(int port, IReadOnlyList<string> settings, TimeSpan timeout, CancellationToken ct)
    {
        RotateLog();
        // pg_ctl hands -o to /bin/sh; single-quote every piece so values reach postgres unchanged.
        var serverArgs = new StringBuilder("-p ").Append(port);
        foreach (var setting in settings)
        {
            serverArgs.Append(" -c ").Append(ShellQuote(setting));
        }
        var result = await OsProcess.RunAsync(Tool("pg_ctl"),
        [
            "start", "-D", location.ClusterDir, "-l", location.LogFile, "-w",
            "-t", ((int)Math.Ceiling(timeout.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-o", serverArgs.ToString(),
        ], location.OsUser, timeout + TimeSpan.FromSeconds(10), ct);
        if (result.Succeeded)
        {
            return;
        }
        var tail = LogTail(location.LogFile);
        if (tail.Contains("could not bind", StringComparison.OrdinalIgnoreCase)
            || tail.Contains("Address already in use", StringComparison.OrdinalIgnoreCase))
        {
            throw new PortInUseException(port, "the server could not bind it");
        }
        throw new InvalidOperationException(
            $"PostgreSQL did not start from '{location.ClusterDir}' (pg_ctl exit {result.ExitCode}): {result.Output}\n" +
            $"Server log {location.LogFile}:\n{tail}");
    }

    /// <summary>Fast shutdown, then immediate if that hangs; returns once no postmaster runs for this directory.</summary>
    public async Task StopServerAsync(CancellationToken ct)
    {
        var pid = EmbeddedPostgres.ReadPostmasterPid(location.PidFile);
        if (pid is null || !IsPostgresProcess(pid.Value))
        {
            return;
        }
        foreach (var mode in new[] { "fast", "immediate" })
        {
            var result = await OsProcess.RunAsync(Tool("pg_ctl"),
                ["stop", "-D", location.ClusterDir, "-m", mode, "-w", "-t", "60"], location.OsUser, ToolTimeout, ct);
            // pg_ctl returns when postmaster.pid is gone, which the postmaster removes just before it exits;
            // wait for the process itself so callers can rely on "no server process left".
            if (await WaitForExitAsync(pid.Value, TimeSpan.FromSeconds(15), ct))
            {
                return;
            }
            logger.LogWarning("pg_ctl stop -m {Mode} for {ClusterDir} left the server running: {Output}", mode, location.ClusterDir, result.Output);
        }
        throw new InvalidOperationException($"The PostgreSQL server (pid {pid}) for '{location.ClusterDir}' did not stop.");
    }

    private static async Task<bool> WaitForExitAsync(int pid, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (IsPostgresProcess(pid))
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }
            await Task.Delay(50, ct);
        }
        return true;
    }

    /// <summary>The last lines of the server log, for error messages (the log holds no passwords).</summary>
    public static string LogTail(string logFile, int lines = 30)
    {
        try
        {
            var all = File.ReadAllLines(logFile);
            return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
        }
        catch (IOException ex)
        {
            return $"(log not readable: {ex.Message})";
        }
        catch (UnauthorizedAccessException ex)
        {
            return $"(log not readable: {ex.Message})";
        }
    }

    /// <summary>True when the pid is alive and is a postgres process (pids get reused after a crash or reboot).</summary>
    internal static bool IsPostgresProcess(int pid)
    {
        try
        {
            var cmdline = File.ReadAllText($"/proc/{pid}/cmdline");
            return cmdline.Contains("postgres", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private void RotateLog()
    {
        var log = new FileInfo(location.LogFile);
        if (log.Exists && log.Length > 10 * 1024 * 1024)
        {
            File.Move(log.FullName, log.FullName + ".old", overwrite: true);
        }
    }

    private static string ShellQuote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static async Task WritePrivateFileAsync(string path, string content, CancellationToken ct)
    {
        // Create with 0600 from the start so the secret is never briefly world-readable.
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        await using var stream = new FileStream(path, options);
        await stream.WriteAsync(Encoding.UTF8.GetBytes(content), ct);
    }
}
