using System.Diagnostics;
using System.Text.Json;
using Rose.Cli;
using Rose.Cli.Commands;

namespace Rose.Core.Tests.Migrations;

/// <summary>`rose lint`: formats, exit codes and input errors, in-process and as the built program.</summary>
public sealed class LintCommandTests : IDisposable
{
    private const string Dangerous = "SET lock_timeout = '1s';\nSET statement_timeout = '1s';\nVACUUM FULL accounts;\n";

    private const string Mild = "BEGIN;\nSET lock_timeout = '1s';\nSET statement_timeout = '1s';\nALTER TABLE accounts ALTER COLUMN country DROP NOT NULL;\nCOMMIT;\n";

    private readonly string directory = Directory.CreateTempSubdirectory("rose-lint-tests").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private static (int Exit, string Stdout, string Stderr) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = RoseCli.Run(args, new StringReader(string.Empty), stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private string Write(string name, string sql)
    {
        var path = Path.Combine(directory, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, sql);
        return path;
    }

    [Fact]
    public void ListRules_Json_ListsAtLeast35RulesWithSquawkEquivalents()
    {
        var (exit, stdout, _) = Run("lint", "--list-rules", "--format", "json");

        Assert.Equal(ExitCodes.Ok, exit);
        using var rules = JsonDocument.Parse(stdout);
        Assert.True(rules.RootElement.GetArrayLength() >= 35);
        var first = rules.RootElement[0];
        Assert.Equal(["id", "severity", "description", "squawk"], first.EnumerateObject().Select(p => p.Name));
        Assert.Contains(rules.RootElement.EnumerateArray(), r => r.GetProperty("id").GetString() == "ban-vacuum-full"
            && r.GetProperty("squawk").EnumerateArray().Any(s => s.GetString() == "prefer-repack"));
    }

    [Fact]
    public void ListRules_Text_EndsWithTheCount()
    {
        var (exit, stdout, _) = Run("lint", "--list-rules");

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Matches(@"\n4\d rules\s*$", stdout);
    }

    [Fact]
    public void Lint_ErrorFinding_ExitsOneWithDocumentedJsonKeys()
    {
        var path = Write("001.sql", Dangerous);

        var (exit, stdout, _) = Run("lint", "--format", "json", path);

        Assert.Equal(LintCommand.ErrorFindings, exit);
        using var findings = JsonDocument.Parse(stdout);
        var finding = Assert.Single(findings.RootElement.EnumerateArray());
        Assert.Equal(["file", "line", "rule", "severity", "message", "lock"], finding.EnumerateObject().Select(p => p.Name).Take(6));
        Assert.Equal("ban-vacuum-full", finding.GetProperty("rule").GetString());
        Assert.Equal(3, finding.GetProperty("line").GetInt32());
        Assert.Equal("error", finding.GetProperty("severity").GetString());
        Assert.Equal("ACCESS EXCLUSIVE", finding.GetProperty("lock").GetString());
        Assert.Equal("rewrite", finding.GetProperty("impact").GetString());
        Assert.Equal(path.Replace('\\', '/'), finding.GetProperty("file").GetString());
    }

    [Fact]
    public void Lint_OnlyWarnings_ExitsZeroAndTextNamesTheLock()
    {
        var (exit, stdout, _) = Run("lint", Write("002.sql", Mild));

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains("warning [ban-drop-not-null]", stdout, StringComparison.Ordinal);
        Assert.Contains("lock: ACCESS EXCLUSIVE", stdout, StringComparison.Ordinal);
        Assert.Contains("1 finding(s): 0 error(s), 1 warning(s)", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Lint_Directory_LintsEverySqlFileInOrder()
    {
        Write("migrations/V2__b.sql", Dangerous);
        Write("migrations/sub/V1__a.sql", Mild);
        Write("migrations/notes.txt", "VACUUM FULL x;");

        var (exit, stdout, _) = Run("lint", "--format", "json", Path.Combine(directory, "migrations"));

        Assert.Equal(LintCommand.ErrorFindings, exit);
        using var findings = JsonDocument.Parse(stdout);
        Assert.Equal(["V2__b.sql", "V1__a.sql"], findings.RootElement.EnumerateArray().Select(f => Path.GetFileName(f.GetProperty("file").GetString()!)));
    }

    [Fact]
    public void Lint_Sarif_IsSarif210WithRulesAndLocations()
    {
        var (exit, stdout, _) = Run("lint", "--format", "sarif", Write("003.sql", Dangerous));

        Assert.Equal(LintCommand.ErrorFindings, exit);
        using var sarif = JsonDocument.Parse(stdout);
        Assert.Equal("2.1.0", sarif.RootElement.GetProperty("version").GetString());
        var run = sarif.RootElement.GetProperty("runs")[0];
        Assert.True(run.GetProperty("tool").GetProperty("driver").GetProperty("rules").GetArrayLength() >= 35);
        var result = Assert.Single(run.GetProperty("results").EnumerateArray());
        Assert.Equal("ban-vacuum-full", result.GetProperty("ruleId").GetString());
        Assert.Equal("error", result.GetProperty("level").GetString());
        Assert.Contains("Lock: ACCESS EXCLUSIVE; rewrites the table", result.GetProperty("message").GetProperty("text").GetString(), StringComparison.Ordinal);
        var location = result.GetProperty("locations")[0].GetProperty("physicalLocation");
        Assert.EndsWith("003.sql", location.GetProperty("artifactLocation").GetProperty("uri").GetString(), StringComparison.Ordinal);
        Assert.Equal(3, location.GetProperty("region").GetProperty("startLine").GetInt32());
    }

    [Fact]
    public void Lint_GitHub_WritesWorkflowAnnotations()
    {
        var (exit, stdout, _) = Run("lint", "--format", "github", Write("004.sql", Dangerous + "-- rose-lint-disable prefer-robust-stmts\nALTER TABLE accounts ALTER COLUMN country DROP NOT NULL;\n"));

        Assert.Equal(LintCommand.ErrorFindings, exit);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("::error file=", lines[0], StringComparison.Ordinal);
        Assert.Contains(",line=3,title=ban-vacuum-full::", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("::warning file=", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Lint_SeverityOverrideAndConfig_ChangeTheExitCode()
    {
        var path = Write("005.sql", Dangerous);
        var config = Write("lint.json", """{"rules": {"ban-vacuum-full": "warning"}}""");

        Assert.Equal(ExitCodes.Ok, Run("lint", "--severity", "ban-vacuum-full=off", path).Exit);
        Assert.Equal(ExitCodes.Ok, Run("lint", "--config", config, path).Exit);
        Assert.Equal(LintCommand.ErrorFindings, Run("lint", "--config", config, "--severity", "ban-vacuum-full=error", path).Exit);
    }

    [Fact]
    public void Lint_DisableComment_SilencesTheStatement()
    {
        var (exit, stdout, _) = Run("lint", "--format", "json", Write("006.sql", Dangerous.Replace("VACUUM", "-- rose-lint-disable ban-vacuum-full\nVACUUM", StringComparison.Ordinal)));

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Equal("[]", stdout.Trim());
    }

    [Theory]
    [InlineData("--severity", "no-such-rule=error", "unknown lint rule 'no-such-rule'")]
    [InlineData("--severity", "ban-vacuum-full=loud", "unknown severity 'loud'")]
    [InlineData("--severity", "ban-vacuum-full", "--severity expects RULE=LEVEL")]
    public void Lint_BadSeverity_IsAConfigurationError(string option, string value, string message)
    {
        var (exit, _, stderr) = Run("lint", option, value, Write("007.sql", Dangerous));

        Assert.Equal(ExitCodes.BadPolicy, exit);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Lint_MissingInputs_FailWithClearErrors()
    {
        var missing = Run("lint", Path.Combine(directory, "nope.sql"));
        Directory.CreateDirectory(Path.Combine(directory, "empty"));
        var empty = Run("lint", Path.Combine(directory, "empty"));
        var none = Run("lint");
        var badConfig = Run("lint", "--config", Path.Combine(directory, "nope.json"), Write("008.sql", Mild));
        var badJson = Run("lint", "--config", Write("bad.json", "{"), Write("009.sql", Mild));

        Assert.Equal(ExitCodes.NoInput, missing.Exit);
        Assert.Contains("no such file or directory", missing.Stderr, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.NoInput, empty.Exit);
        Assert.Contains("no .sql files", empty.Stderr, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, none.Exit);
        Assert.Equal(ExitCodes.NoInput, badConfig.Exit);
        Assert.Equal(ExitCodes.BadPolicy, badJson.Exit);
        Assert.Contains("not valid JSON", badJson.Stderr, StringComparison.Ordinal);
        Assert.Equal(string.Empty, missing.Stdout + empty.Stdout + none.Stdout);
    }

    [Fact]
    public void Lint_UnparseableStatement_IsAnErrorFinding()
    {
        var (exit, stdout, _) = Run("lint", "--format", "json", Write("010.sql", "SET lock_timeout = '1s';\nALTER TABLE accounts ADD COLUMNN c int;\n"));

        Assert.Equal(LintCommand.ErrorFindings, exit);
        using var findings = JsonDocument.Parse(stdout);
        var finding = Assert.Single(findings.RootElement.EnumerateArray(), f => f.GetProperty("rule").GetString() == LintCommand.SyntaxError);
        Assert.Equal(2, finding.GetProperty("line").GetInt32());
    }

    [Fact]
    public async Task BuiltProgram_ExitCodesAreTheProcessExitCodes()
    {
        var bad = Write("011.sql", Dangerous);
        var good = Write("012.sql", Mild);

        Assert.Equal(LintCommand.ErrorFindings, (await RunBuiltAsync("lint", bad)).Exit);
        var (exit, stdout) = await RunBuiltAsync("lint", "--format", "json", good);
        Assert.Equal(ExitCodes.Ok, exit);
        using var findings = JsonDocument.Parse(stdout);
        Assert.Equal("ban-drop-not-null", Assert.Single(findings.RootElement.EnumerateArray()).GetProperty("rule").GetString());
        Assert.Equal(ExitCodes.NoInput, (await RunBuiltAsync("lint", Path.Combine(directory, "nope.sql"))).Exit);
    }

    /// <summary>The rose CLI this test project was built with (its rose.dll sits beside the tests), as a real process.</summary>
    private static async Task<(int Exit, string Stdout)> RunBuiltAsync(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "rose.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        await stderr;
        return (process.ExitCode, await stdout);
    }
}
