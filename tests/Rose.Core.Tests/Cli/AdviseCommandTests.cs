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

    [Fact]
    public void Explain_Measured_PrintsTimingsAndTheTreeWithShares()
    {
        var (exit, output, _) = Report(200, """
            {"status": "succeeded", "audit_id": 7, "analyzed": true, "planning_ms": 0.1, "execution_ms": 12.5, "misestimates": 1, "nodes": [
              {"depth": 0, "node": "Aggregate", "relation": null, "index": null, "total_cost": 10, "plan_rows": 1, "actual_rows": 1, "share": 0.1, "misestimate": null},
              {"depth": 1, "node": "Seq Scan", "relation": "events", "index": null, "total_cost": 9, "plan_rows": 10, "actual_rows": 1000, "share": 0.9, "misestimate": 100}]}
            """, AdviseCommand.PrintPlan);

        Assert.Equal(ExitCodes.Ok, exit);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("execution 12.5 ms, planning 0.1 ms, 1 row misestimate(s)", lines[0]);
        Assert.StartsWith("Aggregate  rows 1 est / 1 actual   10.0% of the time", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("  Seq Scan on events  rows 10 est / 1000 actual   90.0% of the time  rows 100x under-estimated", lines[2], StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_Parked_ExitsAsApproval()
    {
        var (exit, output, _) = Report(202, """{"status": "pending_approval", "approval_id": 42, "audit_id": 9, "reasons": ["DELETE needs approval"]}""", AdviseCommand.PrintPlan);

        Assert.Equal(ExitCodes.Approval, exit);
        Assert.StartsWith("pending approval #42", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Explain_Denied_ExitsAsDeny_AndJsonStillPrintsTheAnswer(bool json)
    {
        const string body = """{"status": "denied", "audit_id": 3, "reasons": ["DROP is not allowed"]}""";
        var (exit, output, error) = Report(403, body, AdviseCommand.PrintPlan, json);

        Assert.Equal(ExitCodes.Deny, exit);
        Assert.Contains("DROP is not allowed", error, StringComparison.Ordinal);
        Assert.Equal(json ? body : string.Empty, output.Trim());
    }

    [Theory]
    [InlineData(new[] { "advise", "explain", "--sql", "SELECT 1" }, "give the target database")]
    [InlineData(new[] { "advise", "explain", "demo", "--database", "other", "--sql", "SELECT 1" }, "two databases given")]
    [InlineData(new[] { "advise", "explain", "demo" }, "--sql")]
    public void Explain_WithoutOneDatabaseOrSql_IsAUsageError(string[] args, string message)
    {
        var stderr = new StringWriter();

        var exit = RoseCli.Run([.. args, "--url", "http://127.0.0.1:1", "--api-key", "k"], new StringReader(string.Empty), new StringWriter(), stderr);

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains(message, stderr.ToString(), StringComparison.Ordinal);
    }
}
