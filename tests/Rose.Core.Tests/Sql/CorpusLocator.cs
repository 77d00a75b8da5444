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

    /// <summary>ROSE_CORPUS_DIR, else the first shared/corpus/postgres_regress found walking up from the repository (a worktree sits one level deeper).</summary>
    public static string CorpusDirectory()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("ROSE_CORPUS_DIR");
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            Assert.True(Directory.Exists(fromEnvironment), $"ROSE_CORPUS_DIR {fromEnvironment} is missing");
            return fromEnvironment;
        }

        for (var dir = new DirectoryInfo(RepositoryRoot()).Parent; dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "corpus", "postgres_regress");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        Assert.Fail($"shared/corpus/postgres_regress not found above {RepositoryRoot()} (set ROSE_CORPUS_DIR)");
        return string.Empty;
    }

    public static string[] SqlFiles() => Directory.GetFiles(CorpusDirectory(), "*.sql").Order(StringComparer.Ordinal).ToArray();
}
