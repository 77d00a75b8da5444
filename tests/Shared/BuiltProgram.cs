namespace Rose.Tests.Shared;

/// <summary>
/// Finds a program this repository built (the console or the rose CLI) under its project's
/// bin/&lt;Configuration&gt;/ folder, whatever framework folder the build chose, so no test names one.
/// </summary>
public static class BuiltProgram
{
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Rose.Console.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("Rose.Console.sln was not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The configuration the tests were built with, which is the one the programs were built with.</summary>
    public static string Configuration =>
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    /// <summary>The newest apphost named <paramref name="program"/> under src/<paramref name="project"/>/bin/&lt;Configuration&gt;/.</summary>
    public static string Find(string project, string program)
    {
        var binDir = Path.Combine(RepositoryRoot(), "src", project, "bin", Configuration);
        var found = Directory.Exists(binDir)
            ? Directory.GetFiles(binDir, program, SearchOption.AllDirectories).OrderByDescending(File.GetLastWriteTimeUtc).FirstOrDefault()
            : null;
        return found ?? throw new FileNotFoundException(
            $"{program} is not built under {binDir}; run `dotnet build Rose.Console.sln -c {Configuration}` first.", program);
    }
}
