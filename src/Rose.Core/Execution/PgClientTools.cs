using System.Diagnostics;
using Npgsql;

namespace Rose.Core.Execution;

/// <summary>
/// Runs PostgreSQL's client programs (pg_dump, pg_restore) for snapshots and scratch copies. Each
/// program opens its own connection with the target's credentials, so they live here in Execution
/// beside the executor, and run only inside an audited run or a migration run's lock. The password
/// travels in PGPASSWORD, never on the command line, so it cannot show in a process listing or an
/// error message.
/// </summary>
internal static class PgClientTools
{
    /// <summary>The program's path: the configured folder or file, else the newest /usr/lib/postgresql/N/bin, else PATH.</summary>
    public static string Resolve(string program, string? configured)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            if (Directory.Exists(configured))
            {
                return Path.Combine(configured, program);
            }

            // Rose:Migrations:PgDumpPath may name pg_dump itself; its siblings live beside it.
            return program == "pg_dump" ? configured : Path.Combine(Path.GetDirectoryName(configured) ?? ".", program);
        }

        // Prefer the newest server folder: pg_dump refuses servers newer than itself.
        const string root = "/usr/lib/postgresql";
        if (Directory.Exists(root))
        {
            var best = Directory.GetDirectories(root)
                .Select(d => (Path: Path.Combine(d, "bin", program), Version: double.TryParse(Path.GetFileName(d), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : 0))
                .Where(x => File.Exists(x.Path))
                .OrderByDescending(x => x.Version)
                .FirstOrDefault();
            if (best.Path is not null)
            {
                return best.Path;
            }
        }

        return program;
    }

    /// <summary>
    /// The version a client program reports (<c>pg_dump --version</c> prints e.g. "pg_dump (PostgreSQL) 15.14 (Debian 15.14-0+deb12u1)"):
    /// the version text and its major number.
    /// </summary>
    public static async Task<(string Text, int Major)> VersionAsync(string program, CancellationToken ct)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("--version");
        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new TargetToolException($"{program} could not be started.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new TargetToolException($"{program} could not be started ({ex.Message}); install the PostgreSQL client programs or set Rose:Migrations:PgDumpPath.");
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync(ct);
            _ = process.StandardError.ReadToEndAsync(ct);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TargetToolException($"{program} --version did not answer within 30 s.");
            }

            var output = (await stdout).Trim();
            var match = System.Text.RegularExpressions.Regex.Match(output, @"\(PostgreSQL\)\s+(?<v>(?<major>[0-9]+)[0-9.]*\S*)", System.Text.RegularExpressions.RegexOptions.CultureInvariant);
            return process.ExitCode == 0 && match.Success
                ? (match.Groups["v"].Value, int.Parse(match.Groups["major"].Value, CultureInfo.InvariantCulture))
                : throw new TargetToolException($"{program} --version did not say which PostgreSQL it belongs to ('{output}'); set Rose:Migrations:PgDumpPath to a pg_dump.");
        }
    }

    /// <summary>Runs a client program against a database; returns its exit code and standard error.</summary>
    /// <param name="environment">Extra libpq variables, e.g. PGOPTIONS with the session's timeouts.</param>
    /// <param name="progress">
    /// Each line of standard error as it comes (the caller passes --verbose to follow the program's work);
    /// the returned error then keeps only the lines that are not --verbose chatter.
    /// </param>
    public static async Task<(int ExitCode, string Error)> RunAsync(string program, IEnumerable<string> arguments, NpgsqlConnectionStringBuilder connection, CancellationToken ct,
        IReadOnlyDictionary<string, string>? environment = null, Action<string>? progress = null)
    {
        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in arguments)
        {
            psi.ArgumentList.Add(arg);
        }

        psi.ArgumentList.Add("--dbname");
        psi.ArgumentList.Add(ConnInfo(connection));
        if (!string.IsNullOrEmpty(connection.Password))
        {
            psi.Environment["PGPASSWORD"] = connection.Password;
        }

        psi.Environment["PGCONNECT_TIMEOUT"] = "10";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[key] = value;
        }

        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new TargetToolException($"{Path.GetFileName(program)} could not be started.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new TargetToolException($"{program} could not be started ({ex.Message}); install the PostgreSQL client programs or set Rose:Migrations:PgDumpPath.");
        }

        using (process)
        {
            var stderr = ReadErrorsAsync(process.StandardError, Path.GetFileName(program), progress, ct);
            _ = process.StandardOutput.ReadToEndAsync(ct);
            try
            {
                await process.WaitForExitAsync(ct);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }

            return (process.ExitCode, (await stderr).Trim());
        }
    }

    private static async Task<string> ReadErrorsAsync(StreamReader stderr, string name, Action<string>? progress, CancellationToken ct)
    {
        if (progress is null)
        {
            return await stderr.ReadToEndAsync(ct);
        }

        var kept = new StringBuilder();
        while (await stderr.ReadLineAsync(ct) is { } line)
        {
            progress(line);

            // Verbose lines are "<program>: <what it does>"; errors, warnings and their details carry a level, continuations no prefix.
            if (!line.StartsWith(name + ": ", StringComparison.Ordinal)
                || line.Contains(": error: ", StringComparison.Ordinal) || line.Contains(": warning: ", StringComparison.Ordinal)
                || line.Contains(": detail: ", StringComparison.Ordinal) || line.Contains(": hint: ", StringComparison.Ordinal))
            {
                kept.AppendLine(line);
            }
        }

        return kept.ToString();
    }

    /// <summary>libpq key=value connection info; values quoted so spaces and quotes survive.</summary>
    private static string ConnInfo(NpgsqlConnectionStringBuilder cs)
    {
        var sb = new StringBuilder();
        void Add(string key, object? value)
        {
            var text = Convert.ToString(value, CultureInfo.InvariantCulture);
            if (!string.IsNullOrEmpty(text))
            {
                sb.Append(key).Append("='").Append(text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal)).Append("' ");
            }
        }

        Add("host", cs.Host);
        Add("port", cs.Port);
        Add("dbname", cs.Database);
        Add("user", cs.Username);
        Add("sslmode", cs.SslMode switch { SslMode.Disable => "disable", SslMode.Require => "require", SslMode.VerifyCA => "verify-ca", SslMode.VerifyFull => "verify-full", _ => "prefer" });
        return sb.ToString().TrimEnd();
    }
}
