using System.Diagnostics;

namespace Rose.Tests.Shared;

/// <summary>
/// A detached shell that waits for the test process to end, however it ends (normal exit, vstest killing
/// the host, SIGKILL), then removes the run's throwaway server: it fast-stops a host cluster and deletes
/// its directories, or force-removes a test container. Nothing in the test process itself can guarantee
/// that once the process is being killed, and Testcontainers' own reaper (Ryuk) is off (no registry
/// serves its image here).
/// </summary>
internal static class ExitWatchdog
{
    private const string ClusterScript = """
        exec </dev/null >/dev/null 2>&1
        while kill -0 "$1" 2>/dev/null; do sleep 0.5; done
        pid=$(head -n 1 "$2/postmaster.pid" 2>/dev/null)
        if [ -n "$pid" ] && grep -q postgres "/proc/$pid/cmdline" 2>/dev/null; then
          kill -INT "$pid"
          i=0
          while [ $i -lt 200 ] && grep -q postgres "/proc/$pid/cmdline" 2>/dev/null; do sleep 0.1; i=$((i+1)); done
          grep -q postgres "/proc/$pid/cmdline" 2>/dev/null && kill -QUIT "$pid"
        fi
        rm -rf "$2" "$3"
        """;

    // $2 is the docker CLI, $3 a label=value only the run's containers carry (it is started before the
    // container exists, so a kill during start-up is covered too). `rm -v` also drops anonymous volumes.
    private const string ContainerScript = """
        exec </dev/null >/dev/null 2>&1
        while kill -0 "$1" 2>/dev/null; do sleep 0.5; done
        ids=$("$2" ps -aq --filter "label=$3")
        [ -n "$ids" ] && "$2" rm -f -v $ids
        """;

    /// <summary>Watches a host cluster (postmaster.pid in <paramref name="clusterDir"/>) and its temp directory.</summary>
    public static void Start(int testProcessId, string clusterDir, string tempDir) =>
        Launch(ClusterScript, testProcessId, clusterDir, tempDir);

    /// <summary>Watches the test containers labelled <paramref name="label"/> (key=value); <paramref name="dockerCli"/> removes them.</summary>
    public static void StartForContainers(int testProcessId, string dockerCli, string label) =>
        Launch(ContainerScript, testProcessId, dockerCli, label);

    private static void Launch(string script, int testProcessId, params string[] args)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        // setsid puts the watchdog in its own session so killing the test host's process group spares it.
        var psi = new ProcessStartInfo("setsid") { UseShellExecute = false };
        foreach (var arg in new[] { "sh", "-c", script, "rose-test-watchdog", testProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) }.Concat(args))
        {
            psi.ArgumentList.Add(arg);
        }
        try
        {
            using var process = Process.Start(psi);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            global::System.Console.Error.WriteLine($"Could not start the test server watchdog ({ex.Message}); ProcessExit and the next run clean up instead.");
        }
    }
}
