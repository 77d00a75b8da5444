using Rose.Cli;
using Rose.Cli.Commands;
using Rose.Cli.Mcp;

namespace Rose.Core.Tests.Cli;

/// <summary>`rose advise`: what it prints from the advisor API's answers, and its exit codes.</summary>
public sealed class AdviseCommandTests
{
    private static (int Exit, string Out, string Err) Report(int status, string body, Func<System.Text.Json.JsonElement, CliIo, int> print, bool json = false)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = AdviseCommand.Report(new ApiAnswer(status, body), json, new CliIo(new StringReader(string.Empty), stdout, stderr), print);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void Health_ACriticalCheck_ExitsNonZeroAndPrintsTheFix()
    {
        var (exit, output, _) = Report(200, """
            {"checks": [{"name": "invalid_indexes", "status": "critical", "detail": "1 finding(s)", "remediation_sql": "REINDEX INDEX CONCURRENTLY i;"},
                        {"name": "cache_hit_ratio", "status": "ok", "detail": "healthy", "remediation_sql": null}]}
            """, AdviseCommand.PrintHealth);

        Assert.Equal(ExitCodes.ValidationFailed, exit);
        Assert.Contains("fix: REINDEX INDEX CONCURRENTLY i;", output, StringComparison.Ordinal);
        Assert.Contains("ok       cache_hit_ratio: healthy", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Indexes_PrintsSpeedupOrUnprovenBeforeEachStatement()
    {
        var (exit, output, _) = Report(200, """
            {"notes": ["hypopg is not installed"], "recommendations": [
              {"create_index_sql": "CREATE INDEX CONCURRENTLY a ON t (a)", "estimated_speedup": 42.5},
              {"create_index_sql": "CREATE INDEX CONCURRENTLY b ON t (b)", "estimated_speedup": null}]}
            """, AdviseCommand.PrintIndexes);

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains("42.5x  CREATE INDEX CONCURRENTLY a ON t (a);", output, StringComparison.Ordinal);
        Assert.Contains("unproven  CREATE INDEX CONCURRENTLY b ON t (b);", output, StringComparison.Ordinal);
        Assert.StartsWith("note: hypopg", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Queries_WithoutPgStatStatements_PrintsTheHint()
    {
        var (exit, output, _) = Report(200, """{"unavailable": "add pg_stat_statements to shared_preload_libraries", "queries": []}""", AdviseCommand.PrintQueries);

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains("shared_preload_libraries", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(404, ExitCodes.ValidationError)]
    [InlineData(0, ExitCodes.Unavailable)]
    public void Refusal_GoesToStderrWithAnExitCode(int status, int expected)
    {
        var (exit, _, error) = Report(status, """{"status":"not_found","error":"There is no target database named 'x'."}""", AdviseCommand.PrintHealth);

        Assert.Equal(expected, exit);
        Assert.Contains($"HTTP {status}", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Indexes_WithoutQueryOrWorkload_IsAUsageError()
    {
        var stderr = new StringWriter();

        var exit = RoseCli.Run(["advise", "indexes", "--database", "demo", "--url", "http://127.0.0.1:1", "--api-key", "k"],
            new StringReader(string.Empty), new StringWriter(), stderr);

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("--workload", stderr.ToString(), StringComparison.Ordinal);
    }
}
