using Rose.Core.Sql.Native;

namespace Rose.Core.Tests.Sql;

/// <summary>The last check before a batch is accepted: statement spans must account for every token.</summary>
public sealed class BatchCoverageTests
{
    private static BatchTokens Scan(string sql)
    {
        LibPgQuery.EnsureLoaded();
        var (tokens, error) = BatchTokens.Scan(new Utf8Text(sql));
        Assert.Null(error);
        return tokens!;
    }

    [Fact]
    public void CoverageProblem_EveryTokenInAStatement_None()
    {
        var batch = Scan("SELECT 1; /* c */ DELETE FROM t -- x");
        Assert.Null(batch.CoverageProblem([(0, 8), (18, 31)]));
    }

    [Fact]
    public void CoverageProblem_TokenOutsideEveryStatement_Named()
    {
        var batch = Scan("SELECT 1; DELETE FROM t");
        Assert.Contains("belongs to no statement", batch.CoverageProblem([(0, 8)]), StringComparison.Ordinal);
    }

    [Fact]
    public void CoverageProblem_SpanCutsThroughAToken_Named()
    {
        var batch = Scan("SELECT 'a;b'");
        Assert.Contains("crosses", batch.CoverageProblem([(0, 9)]), StringComparison.Ordinal);
    }

    [Fact]
    public void CoverageProblem_Overlap_Named()
    {
        var batch = Scan("SELECT 1; SELECT 2");
        Assert.Contains("overlap", batch.CoverageProblem([(0, 8), (7, 18)]), StringComparison.Ordinal);
    }

    [Fact]
    public void Trim_RangeWithCommentsAround_CutsAtFirstAndLastToken()
    {
        const string sql = "SELECT 1; --x\r/* y */ SELECT /* in */ 2 -- z\n";
        var batch = Scan(sql);
        var (start, end) = batch.Trim(9, sql.Length)!.Value;
        Assert.Equal("SELECT /* in */ 2", sql[start..end]);
        Assert.Null(batch.Trim(9, 21));
    }
}
