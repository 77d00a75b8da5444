using System.Diagnostics;

namespace Rose.Core.Embedded;

/// <summary>The result of running a helper program to completion.</summary>
internal sealed record OsProcessResult(int ExitCode, string StdOut, string StdErr)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>Both output streams, for error messages.</summary>
    public string Output => (StdOut + "\n" + StdErr).Trim();
}

/// <summary>
/// Runs the PostgreSQL helper programs (initdb, pg_ctl, pg_config) and the few OS tools the embedded
/// cluster needs (runuser, chown, setfacl). Arguments go through ArgumentList, never a shell string.
/// </summary>
internal static class OsProcess
{
    public static bool IsRoot => Environment.IsPrivilegedProcess && OperatingSystem.IsLinux();

    /// <summary>Runs <paramref name="fileName"/>, as <paramref name="runAsUser"/> via runuser when given.</summary>
    public static async Task<OsProcessResult> RunAsync(
        string fileName, IEnumerable<string> arguments, string? runAsUser, TimeSpan timeout, CancellationToken ct)
    {
        var psi = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        if (runAsUser is null)
        {
            psi.FileName = fileName;
        }
        else
        {
            psi.FileName = "runuser";
            psi.ArgumentList.Add("-u");
            psi.ArgumentList.Add(runAsUser);
            psi.ArgumentList.Add("--");
            psi.ArgumentList.Add(fileName);
        }
        foreach (var argument in arguments)
        {
            psi.ArgumentList.Add(argument);
        }
        // Server messages are parsed for nothing, but a fixed locale keeps them readable in bug reports.
        psi.Environment["LC_MESSAGES"] = "C";

        using var process = new Process { StartInfo = psi };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"Could not run '{psi.FileName}': {ex.Message}", ex);
        }
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        using var timeoutCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeoutCts.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(timeoutCts.Token);
        }
        catch (OperationCanceledException)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
            ct.ThrowIfCancellationRequested();
            throw new TimeoutException($"'{Path.GetFileName(fileName)}' did not finish within {timeout.TotalSeconds:0} s.");
        }
        return new OsProcessResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Whether an OS account exists (runuser would fail later with a vaguer message).</summary>
    public static async Task<bool> UserExistsAsync(string user, CancellationToken ct)
    {
        var result = await RunAsync("id", ["-u", user], null, TimeSpan.FromSeconds(10), ct);
        return result.Succeeded;
    }

    /// <summary>Gives a directory tree to <paramref name="user"/> (the server requires owning its data directory).</summary>
    public static async Task ChownRecursiveAsync(string path, string user, CancellationToken ct)
    {
        var result = await RunAsync("chown", ["-R", user + ":", path], null, TimeSpan.FromMinutes(2), ct);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"Could not give '{path}' to the OS user '{user}': {result.Output}");
        }
    }

    /// <summary>True when <paramref name="user"/> can enter <paramref name="directory"/> (every ancestor traversable).</summary>
    public static async Task<bool> CanUserEnterAsync(string user, string directory, CancellationToken ct)
    {
        var result = await RunAsync("test", ["-x", directory], user, TimeSpan.FromSeconds(10), ct);
        return result.Succeeded;
    }

    /// <summary>Finds a program on PATH, or null.</summary>
    public static string? FindOnPath(string program)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }
}
