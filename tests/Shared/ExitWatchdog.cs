using System.Diagnostics;

namespace Rose.Tests.Shared;

/// <summary>
/// A detached shell that waits for the test process to end, however it ends (normal exit, vstest killing
/// the host, SIGKILL), then fast-stops the throwaway server and deletes its directories. Nothing in the
/// test process itself can guarantee that once the process is being killed.
/// </summary>
internal static class ExitWatchdog
{
    private const string Script = """
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

    public static void Start(int testProcessId, string clusterDir, string tempDir)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        // setsid puts the watchdog in its own session so killing the test host's process group spares it.
        var psi = new ProcessStartInfo("setsid") { UseShellExecute = false };
        foreach (var arg in new[] { "sh", "-c", Script, "rose-test-watchdog", testProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), clusterDir, tempDir })
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
