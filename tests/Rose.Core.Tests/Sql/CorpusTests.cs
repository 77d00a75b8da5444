using System.Diagnostics;
using System.Text.Json;
using Rose.Core.Sql;

namespace Rose.Core.Tests.Sql;

/// <summary>The PostgreSQL regression corpus: classified without exceptions, and cross-checked against PostgreSQL 17's parser.</summary>
public sealed class CorpusTests
{
    private static readonly PgQueryClassifier Classifier = new();

    /// <summary>
    /// Files where PostgreSQL 15 (libpg_query here) and 17 (the npm oracle) legitimately disagree
    /// because the grammar changed between them. Empty means none found so far; add a file with the
    /// reason if a grammar change shows up.
    /// </summary>
    private static readonly Dictionary<string, string> KnownGrammarDifferences = new(StringComparer.Ordinal);

    [Fact]
    public void Classify_EveryCorpusFile_NoExceptionAndStatementsFound()
    {
        var files = CorpusLocator.SqlFiles();
        Assert.True(files.Length > 100, $"expected the regression corpus, found {files.Length} files");
        var withStatements = 0;
        foreach (var file in files)
        {
            var sql = File.ReadAllText(file);
            var batch = Classifier.Classify(sql);
            foreach (var s in batch.Statements)
            {
                Assert.Equal(sql.Substring(s.Start, s.Length), s.Text);
                Assert.NotEmpty(s.Operations);
                Assert.Equal(s.Tag, s.Operations[0]);
            }

            withStatements += batch.Statements.Count > 0 ? 1 : 0;
        }

        Assert.True(withStatements >= files.Length * 9 / 10, $"only {withStatements} of {files.Length} files gave statements");
    }

    [Fact]
    public void Classify_CorpusAgainstPostgres17Oracle_SameStatementNodes()
    {
        var root = CorpusLocator.RepositoryRoot();
        var oracleDir = Path.Combine(root, "tests", "oracle");
        Assert.True(Directory.Exists(Path.Combine(oracleDir, "node_modules", "libpg-query")),
            $"the parser oracle is not installed: run `npm ci --prefix tests/oracle` in {root}");

        var oracle = RunOracle(root, CorpusLocator.CorpusDirectory());
        var compared = 0;
        foreach (var (file, nodes) in oracle)
        {
            var name = Path.GetFileName(file);
            var batch = Classifier.Classify(File.ReadAllText(file));
            if (!batch.AllParsed || KnownGrammarDifferences.ContainsKey(name))
            {
                continue; // only files both parsers read whole are comparable
            }

            Assert.True(nodes.SequenceEqual(batch.Statements.Select(s => s.Node)),
                $"{name}: PG17 oracle says [{string.Join(", ", nodes)}] but Rose says [{string.Join(", ", batch.Statements.Select(s => s.Node))}]");
            compared++;
        }

        Assert.True(compared > 50, $"only {compared} corpus files were comparable");
    }

    /// <summary>node tests/oracle/parse.mjs DIR: one JSON line per file; files PG17 cannot parse whole are left out.</summary>
    private static List<(string File, List<string> Nodes)> RunOracle(string root, string corpus)
    {
        var start = new ProcessStartInfo("node", [Path.Combine(root, "tests", "oracle", "parse.mjs"), corpus])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = root,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start node");
        var stderrTask = process.StandardError.ReadToEndAsync();
        var results = new List<(string, List<string>)>();
        while (process.StandardOutput.ReadLine() is { } line)
        {
            using var doc = JsonDocument.Parse(line);
            if (doc.RootElement.GetProperty("ok").GetBoolean())
            {
                results.Add((doc.RootElement.GetProperty("file").GetString()!,
                    doc.RootElement.GetProperty("statements").EnumerateArray().Select(e => e.GetString()!).ToList()));
            }
        }

        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"oracle failed: {stderrTask.Result}");
        return results;
    }
}
