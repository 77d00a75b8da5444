using System.Runtime.InteropServices;

namespace Rose.Core.Embedded;

/// <summary>
/// Stops a postmaster by signal, without starting any process. Used where child processes cannot be
/// awaited reliably, such as AppDomain.ProcessExit handlers during runtime shutdown.
/// </summary>
internal static class PostmasterSignal
{
    // The postmaster's documented shutdown signals: SIGINT = fast, SIGQUIT = immediate.
    private const int SigInt = 2;
    private const int SigQuit = 3;

    // DllImport rather than LibraryImport: blittable ints need no marshalling, and LibraryImport would
    // require AllowUnsafeBlocks for the whole of Rose.Core.
#pragma warning disable SYSLIB1054
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
#pragma warning restore SYSLIB1054

    /// <summary>Fast shutdown, then immediate after <paramref name="timeout"/>; true when the process is gone.</summary>
    public static bool Stop(int pid, TimeSpan timeout)
    {
        if (!OperatingSystem.IsLinux() || !ClusterControl.IsPostgresProcess(pid))
        {
            return !ClusterControl.IsPostgresProcess(pid);
        }
        foreach (var signal in new[] { SigInt, SigQuit })
        {
            _ = Kill(pid, signal);
            var deadline = DateTime.UtcNow + timeout;
            while (DateTime.UtcNow < deadline)
            {
                if (!ClusterControl.IsPostgresProcess(pid))
                {
                    return true;
                }
                Thread.Sleep(50);
            }
        }
        return !ClusterControl.IsPostgresProcess(pid);
    }
}
