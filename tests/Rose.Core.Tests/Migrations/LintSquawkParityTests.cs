using System.Diagnostics;
using System.Text.Json;
using Rose.Core.Migrations.Lint;
using Rose.Core.Sql;

namespace Rose.Core.Tests.Migrations;

/// <summary>
/// Runs the real squawk-cli (npm package squawk-cli, pinned in tests/lint-parity/package.json,
/// installed with `npm install` on first use: `npm ci` refuses the lock file because the registry
/// here has only the linux-x64 build of squawk's per-platform optional packages) over the corpus in tests/lint-parity/corpus and checks that
/// every squawk finding has a Rose finding of an equivalent rule (one whose Squawk list names it)
/// on the same statement.
/// </summary>
public sealed class LintSquawkParityTests
{
    private static readonly PgQueryClassifier Classifier = new();

    private static readonly SemaphoreSlim InstallLock = new(1, 1);

    /// <summary>squawk's defaults, and again with its opt-in prefer-repack (VACUUM FULL, CLUSTER), which needs --pg-version 19.</summary>
    [Theory]
    [InlineData("")]
    [InlineData("--include=prefer-repack --pg-version=19")]
    public async Task Corpus_EverySquawkFindingHasAnEquivalentRoseFinding(string options)
    {
        var squawkOptions = options.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var folder = Path.Combine(RepositoryRoot(), "tests", "lint-parity");
        var squawk = await EnsureSquawkAsync(folder);
        var files = Directory.GetFiles(Path.Combine(folder, "corpus"), "*.sql").Order(StringComparer.Ordinal).ToList();
        var relative = files.Select(f => Path.GetRelativePath(folder, f).Replace('\\', '/')).ToList();

        var (_, output) = await RunAsync(squawk, folder, [.. squawkOptions, "--reporter", "json", .. relative]);
        using var report = JsonDocument.Parse(output);
        var squawkFindings = report.RootElement.EnumerateArray()
            .Select(f => (File: f.GetProperty("file").GetString()!.Replace('\\', '/'), Line: f.GetProperty("line").GetInt32() + 1, Rule: f.GetProperty("rule_name").GetString()!))
            .ToList();

        var missing = new List<string>();
        for (var i = 0; i < files.Count; i++)
        {
            var text = await File.ReadAllTextAsync(files[i]);
            var batch = Classifier.Classify(text);
            var rose = MigrationLinter.Lint(batch, LintContext.Empty);
            foreach (var (_, line, rule) in squawkFindings.Where(f => f.File == relative[i]))
            {
                var statement = StatementAt(text, batch, line);
                var covered = rose.Any(f => f.StatementIndex == statement
                    && MigrationLinter.Rules.Single(r => r.Id == f.Rule).Squawk.Contains(rule));
                if (!covered)
                {
                    missing.Add($"{relative[i]}:{line} {rule} (statement {statement})");
                }
            }
        }

        Assert.True(squawkFindings.Select(f => f.Rule).Distinct().Count() >= 30,
            "the corpus should exercise at least 30 squawk rules; it exercises " + string.Join(", ", squawkFindings.Select(f => f.Rule).Distinct()));
        Assert.True(missing.Count == 0, "squawk findings without an equivalent Rose finding:\n" + string.Join('\n', missing));
    }

    [Fact]
    public async Task Corpus_RoseFlagsWhatSquawkMisses()
    {
        var path = Path.Combine(RepositoryRoot(), "tests", "lint-parity", "corpus", "007_maintenance.sql");
        var rules = MigrationLinter.Lint(Classifier.Classify(await File.ReadAllTextAsync(path)), LintContext.Empty).Select(f => f.Rule).ToHashSet();

        Assert.Superset(new HashSet<string> { "ban-vacuum-full", "ban-cluster", "ban-set-logged-unlogged", "ban-lock-table", "ban-unbatched-dml", "ban-table-rewrite" }, rules);
    }

    /// <summary>The statement whose lines contain <paramref name="line"/> (1-based), else the first one after it.</summary>
    private static int StatementAt(string text, SqlBatch batch, int line)
    {
        int LineOf(int offset) => 1 + text.AsSpan(0, Math.Min(offset, text.Length)).Count('\n');
        var ranges = batch.Statements.Select(s => (s.Index, First: LineOf(s.Start), Last: LineOf(s.Start + s.Length))).ToList();
        return ranges.Where(r => r.First <= line && line <= r.Last).Select(r => r.Index).DefaultIfEmpty(-1).Last() is var hit and >= 0
            ? hit
            : ranges.FirstOrDefault(r => r.First > line).Index;
    }

    /// <summary>squawk from tests/lint-parity/node_modules, running `npm install` (pinned by the lock file) there first when it is missing.</summary>
    private static async Task<string> EnsureSquawkAsync(string folder)
    {
        var squawk = Path.Combine(folder, "node_modules", ".bin", OperatingSystem.IsWindows() ? "squawk.cmd" : "squawk");
        await InstallLock.WaitAsync();
        try
        {
            if (!File.Exists(squawk))
            {
                var (exit, output) = await RunAsync("npm", folder, ["install", "--no-audit", "--no-fund"]);
                Assert.True(exit == 0, $"npm install in {folder} failed ({exit}):\n{output}");
            }
        }
        finally
        {
            InstallLock.Release();
        }

        Assert.True(File.Exists(squawk), $"squawk is not installed at {squawk}");
        return squawk;
    }

    private static async Task<(int Exit, string Output)> RunAsync(string program, string directory, string[] args)
    {
        var info = new ProcessStartInfo(program) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        var output = await stdout;
        return (process.ExitCode, output.Length > 0 ? output : await stderr);
    }

    private static string RepositoryRoot()
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
}
