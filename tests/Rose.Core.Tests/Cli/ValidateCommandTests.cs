using Rose.Cli;
using Rose.Cli.Commands;
using Rose.Cli.Mcp;

namespace Rose.Core.Tests.Cli;

/// <summary>`rose validate`: the exit code follows the run's results, so scripts can gate on it.</summary>
public sealed class ValidateCommandTests
{
    private static string Answer(int fail, int error, string status = "completed") => $$"""
        {"run_id": 7, "database": "demo", "status": "{{status}}", "health": "{{(fail > 0 ? "fail" : "pass")}}",
         "summary": {"pass": 3, "warn": 1, "fail": {{fail}}, "error": {{error}}, "findings": 2},
         "results": [{"status": "fail", "title": "customers.email: no duplicates", "message": "40 rows share a key"},
                     {"status": "pass", "title": "orders: row count", "message": "4,000 rows"}],
         "findings": [{"rule": "no_primary_key", "severity": "error", "object": "public.app_events", "detail": "table has no primary key"}]}
        """;

    public static TheoryData<int, string, bool, int> Cases => new()
    {
        { 200, Answer(0, 0), false, ExitCodes.Ok },
        { 200, Answer(2, 0), false, ExitCodes.ValidationFailed },
        { 200, Answer(0, 1), false, ExitCodes.ValidationFailed },
        { 200, Answer(0, 0, "error"), false, ExitCodes.ValidationFailed },
        { 200, Answer(1, 0), true, ExitCodes.ValidationFailed },
        { 403, """{"status":"denied"}""", false, ExitCodes.ValidationError },
        { 0, """{"status":"unreachable"}""", false, ExitCodes.Unavailable },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Report_ByAnswer_GivesExitCode(int status, string body, bool json, int expected)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        var exit = ValidateCommand.Report(new ApiAnswer(status, body), json, new CliIo(new StringReader(string.Empty), stdout, stderr));

        Assert.Equal(expected, exit);
        if (status == 200 && !json)
        {
            Assert.StartsWith("demo: ", stdout.ToString(), StringComparison.Ordinal);
            Assert.Contains("audit no_primary_key: public.app_events", stdout.ToString(), StringComparison.Ordinal);
        }
        else if (json)
        {
            Assert.Equal(body, stdout.ToString().TrimEnd());
        }
    }

    [Fact]
    public void Validate_WithoutKey_IsAUsageError()
    {
        Environment.SetEnvironmentVariable("ROSE_API_KEY", null);
        var stderr = new StringWriter();

        var exit = RoseCli.Run(["validate", "--database", "demo", "--url", "http://127.0.0.1:1"], new StringReader(string.Empty), new StringWriter(), stderr);

        Assert.Equal(ExitCodes.Usage, exit);
        Assert.Contains("API key", stderr.ToString(), StringComparison.Ordinal);
    }
}
