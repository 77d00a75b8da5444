using System.Text.Json;
using Rose.Cli;
using Rose.Cli.Commands;

namespace Rose.Core.Tests.Cli;

/// <summary>`rose classify` and `rose policy check`, run in-process with their own streams.</summary>
public sealed class CliCommandTests : IDisposable
{
    private const string SeedPolicyJson = """
        {"allowed_databases": ["argus", "artemis"],
         "allowed_operations": ["SELECT", "INSERT", "UPDATE", "DELETE", "CREATE INDEX", "CREATE TABLE"],
         "requires_approval": ["DROP", "TRUNCATE", "ALTER TABLE"],
         "environment": "dev"}
        """;

    private readonly string directory = Directory.CreateTempSubdirectory("rose-cli-tests").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private static (int Exit, string[] Lines, string Stderr) Run(string stdin, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = RoseCli.Run(args, new StringReader(stdin), stdout, stderr);
        var lines = stdout.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return (exit, lines, stderr.ToString());
    }

    private string WritePolicy(string json)
    {
        var path = Path.Combine(directory, $"policy-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void Classify_Stdin_OneLinePerStatementWithDocumentedKeysFirst()
    {
        var (exit, lines, _) = Run("SELECT 1; DROP TABLE t", "classify");
        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Equal(2, lines.Length);
        using var second = JsonDocument.Parse(lines[1]);
        var keys = second.RootElement.EnumerateObject().Select(p => p.Name).Take(8);
        Assert.Equal(["index", "start", "length", "node", "tag", "operations", "writes", "destructive"], keys);
        Assert.Equal("DROP TABLE", second.RootElement.GetProperty("tag").GetString());
        Assert.Equal(10, second.RootElement.GetProperty("start").GetInt32());
        Assert.True(second.RootElement.GetProperty("destructive").GetBoolean());
    }

    [Fact]
    public void Classify_File_ReadsTheFile()
    {
        var path = Path.Combine(directory, "in.sql");
        File.WriteAllText(path, "TRUNCATE t");
        var (exit, lines, _) = Run(string.Empty, "classify", path);
        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains("\"tag\":\"TRUNCATE TABLE\"", Assert.Single(lines), StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_MissingFile_NoInputExitCode()
    {
        var (exit, _, stderr) = Run(string.Empty, "classify", Path.Combine(directory, "absent.sql"));
        Assert.Equal(ExitCodes.NoInput, exit);
        Assert.Contains("absent.sql", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void ClassifyJsonl_MalformedLine_AnswersErrorContinuesAndFails()
    {
        var (exit, lines, _) = Run("{\"sql\": \"SELECT 1; SELECT 2\"}\nnot json\n{\"nosql\": 1}\n{\"sql\": \"DELETE FROM t\"}\n", "classify", "--jsonl");
        Assert.Equal(ExitCodes.MalformedInput, exit);
        Assert.Equal(4, lines.Length);
        using var first = JsonDocument.Parse(lines[0]);
        Assert.Equal(2, first.RootElement.GetProperty("statements").GetArrayLength());
        Assert.StartsWith("{\"error\":", lines[1], StringComparison.Ordinal);
        Assert.Contains("\\\"sql\\\"", lines[2], StringComparison.Ordinal);
        using var last = JsonDocument.Parse(lines[3]);
        Assert.Equal("DELETE", last.RootElement.GetProperty("statements")[0].GetProperty("tag").GetString());
    }

    [Theory]
    [InlineData("SELECT 1", "allow", ExitCodes.Ok)]
    [InlineData("DROP TABLE t", "approval", ExitCodes.Approval)]
    [InlineData("CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'", "deny", ExitCodes.Deny)]
    public void PolicyCheck_SeedPolicy_DecisionAndExitCode(string sql, string decision, int exitCode)
    {
        var (exit, lines, _) = Run(sql, "policy", "check", "--policy", WritePolicy(SeedPolicyJson), "--database", "argus");
        Assert.Equal(exitCode, exit);
        using var answer = JsonDocument.Parse(Assert.Single(lines));
        Assert.Equal(decision, answer.RootElement.GetProperty("decision").GetString());
        Assert.Equal(["decision", "operations", "reasons"], answer.RootElement.EnumerateObject().Select(p => p.Name).Take(3));
        Assert.NotEqual(0, answer.RootElement.GetProperty("reasons").GetArrayLength());
    }

    [Fact]
    public void PolicyCheck_ProdEnvironment_ParksCreateTable()
    {
        var (exit, lines, _) = Run("CREATE TABLE t (id int)", "policy", "check", "--policy", WritePolicy(SeedPolicyJson), "--database", "argus", "--environment", "prod");
        Assert.Equal(ExitCodes.Approval, exit);
        Assert.Contains("\"decision\":\"approval\"", Assert.Single(lines), StringComparison.Ordinal);
    }

    [Fact]
    public void PolicyCheckJsonl_OneDecisionPerLine_StrictestExit()
    {
        var input = "{\"sql\": \"SELECT 1\"}\n{\"sql\": \"WITH x AS (DELETE FROM t RETURNING *) SELECT * FROM x\"}\n{\"sql\": \"SELECT pg_terminate_backend(1)\"}\n";
        var (exit, lines, _) = Run(input, "policy", "check", "--policy", WritePolicy(SeedPolicyJson), "--database", "argus", "--jsonl");
        Assert.Equal(ExitCodes.Deny, exit);
        var decisions = lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("decision").GetString()).ToList();
        Assert.Equal(["allow", "allow", "deny"], decisions);
        Assert.Contains("FUNCTION pg_terminate_backend", lines[2], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"allowed_databases\": [\"argus\"], \"alowed_operations\": [\"SELECT\"]}", "alowed_operations")]
    [InlineData("{not json", "policy")]
    [InlineData("null", "null")]
    public void PolicyCheck_BadPolicyFile_ClearErrorNamingFile(string json, string expectedText)
    {
        var path = WritePolicy(json);
        var (exit, lines, stderr) = Run("SELECT 1", "policy", "check", "--policy", path, "--database", "argus");
        Assert.Equal(ExitCodes.BadPolicy, exit);
        Assert.Empty(lines);
        Assert.Contains(path, stderr, StringComparison.Ordinal);
        Assert.Contains(expectedText, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void PolicyCheck_MissingPolicyFile_ClearError()
    {
        var path = Path.Combine(directory, "absent.json");
        var (exit, _, stderr) = Run("SELECT 1", "policy", "check", "--policy", path, "--database", "argus");
        Assert.Equal(ExitCodes.BadPolicy, exit);
        Assert.Contains(path, stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("policy", "check", "--database", "argus")]
    [InlineData("classify", "a.sql", "b.sql")]
    [InlineData("frobnicate")]
    [InlineData("policy", "check", "--policy", "p.json", "--database", "argus", "--environment", "moon")]
    public void Run_BadCommandLine_UsageExitCode(params string[] args)
    {
        var (exit, _, stderr) = Run(string.Empty, args);
        Assert.Equal(ExitCodes.Usage, exit);
        Assert.NotEmpty(stderr);
    }
}
