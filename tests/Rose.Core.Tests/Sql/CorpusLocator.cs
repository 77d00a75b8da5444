namespace Rose.Core.Tests.Sql;

/// <summary>Finds the repository root and the shared PostgreSQL regression corpus.</summary>
internal static class CorpusLocator
{
    /// <summary>The directory holding Rose.Console.sln, found by walking up from the test binaries.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Rose.Console.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"Rose.Console.sln not found above {AppContext.BaseDirectory}");
    }

    /// <summary>ROSE_CORPUS_DIR, else ../shared/corpus/postgres_regress next to the repository.</summary>
    public static string CorpusDirectory()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("ROSE_CORPUS_DIR");
        var dir = !string.IsNullOrWhiteSpace(fromEnvironment)
            ? fromEnvironment
            : Path.GetFullPath(Path.Combine(RepositoryRoot(), "..", "shared", "corpus", "postgres_regress"));
        Assert.True(Directory.Exists(dir), $"corpus directory {dir} is missing (set ROSE_CORPUS_DIR)");
        return dir;
    }

    public static string[] SqlFiles() => Directory.GetFiles(CorpusDirectory(), "*.sql").Order(StringComparer.Ordinal).ToArray();
}
