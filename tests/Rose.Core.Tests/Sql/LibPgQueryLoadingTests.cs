using Rose.Core.Sql;
using Rose.Core.Sql.Native;

namespace Rose.Core.Tests.Sql;

/// <summary>Which parser library Rose loads, and that it fails closed with a useful message.</summary>
public sealed class LibPgQueryLoadingTests
{
    [Fact]
    public void Loaded_ByDefault_IsPostgres17()
    {
        _ = new PgQueryClassifier();
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable(LibPgQuery.PathVariable)))
        {
            return; // a benchmark or comparison run chose another library on purpose
        }

        Assert.EndsWith(LibPgQuery.LibraryFile, PgQueryClassifier.LibraryPath, StringComparison.Ordinal);
        Assert.InRange(LibPgQuery.Version, 170000, 179999);
    }

    [Fact]
    public void Candidates_WithoutOverride_ToolsFolderThenSystemPath()
    {
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable(LibPgQuery.PathVariable)))
        {
            Assert.Single(LibPgQuery.Candidates());
            return;
        }

        var candidates = LibPgQuery.Candidates();
        Assert.Equal(LibPgQuery.SystemPath, candidates[^1]);
        Assert.All(candidates.SkipLast(1), c => Assert.EndsWith(Path.Combine(".tools", "libpg_query", LibPgQuery.LibraryFile), c, StringComparison.Ordinal));
    }

    [Fact]
    public void Probe_NoLibrary_FailsClosedNamingTheOverrideAndThePackage()
    {
        var e = Assert.Throws<SqlParserUnavailableException>(() => LibPgQuery.Probe(["/nonexistent/libpg_query.so.1706.0"]));
        Assert.Contains("ROSE_LIBPG_QUERY", e.Message, StringComparison.Ordinal);
        Assert.Contains("libpg-query1706.0", e.Message, StringComparison.Ordinal);
    }
}
