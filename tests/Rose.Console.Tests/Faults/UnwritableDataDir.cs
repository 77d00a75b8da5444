namespace Rose.Console.Tests.Faults;

/// <summary>
/// A data directory this process cannot write. Permission bits do not stop root (CI's containers run
/// as root), so there it is a folder of sysfs, which refuses new files to everyone.
/// </summary>
internal static class UnwritableDataDir
{
    public static string Create()
    {
        if (Environment.UserName == "root" || Environment.GetEnvironmentVariable("USER") == "root")
        {
            return "/sys/kernel";
        }

        var dir = Directory.CreateTempSubdirectory("rose-readonly-").FullName;
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(dir, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        }

        return dir;
    }
}
