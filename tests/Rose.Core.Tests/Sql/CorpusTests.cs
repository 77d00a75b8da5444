using System.Diagnostics;
using System.Text.Json;
using Rose.Core.Sql;
using Xunit.Abstractions;

namespace Rose.Core.Tests.Sql;

/// <summary>The PostgreSQL regression corpus: classified without exceptions, and cross-checked against PostgreSQL 17's parser.</summary>
public sealed class CorpusTests(ITestOutputHelper output)
{
    private static readonly PgQueryClassifier Classifier = new();

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

    /// <summary>
    /// Every statement node PostgreSQL 17's grammar produces in the corpus has a real command tag,
    /// not the never-throw fallback built from the node name (a node renamed or added in 16/17
    /// would show up here).
    /// </summary>
    [Fact]
    public void Classify_EveryCorpusNode_HasAKnownCommandTag()
    {
        var fallbacks = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var file in CorpusLocator.SqlFiles())
        {
            foreach (var s in Classifier.Classify(File.ReadAllText(file)).Statements.Where(s => s.IsParsed))
            {
                if (!Rose.Core.Sql.Classification.CommandTags.IsKnown(s.Node))
                {
                    fallbacks.Add($"{s.Node} -> {s.Tag}");
                }
            }
        }

        Assert.Empty(fallbacks);
    }

    /// <summary>
    /// Statement-level agreement with an independent PostgreSQL 17 parser (npm libpg-query, WASM).
    /// Files the oracle parses whole: each of its statements must match one Rose statement inside
    /// its span with the same node (Rose statements matching none count against). Files with
    /// deliberate errors (the oracle has no recovery): each Rose statement's text goes to the oracle
    /// alone, and agrees when the oracle reads the same single node, or also refuses an UNPARSEABLE one.
    /// </summary>
    [Fact]
    public void Classify_CorpusAgainstPostgres17Oracle_AtLeast995PercentOfStatementsAgree()
    {
        var root = CorpusLocator.RepositoryRoot();
        Assert.True(Directory.Exists(Path.Combine(root, "tests", "oracle", "node_modules", "libpg-query")),
            $"the parser oracle is not installed: run `npm ci --prefix tests/oracle` in {root}");

        var agreed = 0;
        var total = 0;
        var disagreements = new List<string>();
        var recoveryTexts = new List<(string File, SqlStatement Statement)>();
        foreach (var line in RunOracle(root, [CorpusLocator.CorpusDirectory()]))
        {
            using var doc = JsonDocument.Parse(line);
            var file = doc.RootElement.GetProperty("file").GetString()!;
            var sql = File.ReadAllText(file);
            var batch = Classifier.Classify(sql);
            if (!doc.RootElement.GetProperty("ok").GetBoolean())
            {
                recoveryTexts.AddRange(batch.Statements.Select(s => (file, s)));
                continue;
            }

            var byteToChar = ByteToChar(sql);
            var matched = new HashSet<int>();
            foreach (var o in doc.RootElement.GetProperty("statements").EnumerateArray())
            {
                var node = o.GetProperty("node").GetString()!;
                var location = o.GetProperty("location").GetInt32();
                var length = o.GetProperty("length").GetInt32();
                var start = byteToChar[location];
                var end = length == 0 ? sql.Length : byteToChar[location + length];
                var inside = batch.Statements.Where(s => s.Start >= start && s.Start + s.Length <= end).ToList();
                total++;
                if (inside.Count == 1 && inside[0].Node == node)
                {
                    agreed++;
                    matched.Add(inside[0].Index);
                }
                else
                {
                    disagreements.Add($"{Path.GetFileName(file)}@{start}: oracle {node}, Rose [{string.Join(", ", inside.Select(s => s.Node))}]");
                }
            }

            var extra = batch.Statements.Count(s => !matched.Contains(s.Index));
            total += extra;
            if (extra > 0)
            {
                disagreements.Add($"{Path.GetFileName(file)}: {extra} Rose statements the oracle does not have");
            }
        }

        var texts = Path.GetTempFileName();
        try
        {
            File.WriteAllText(texts, JsonSerializer.Serialize(recoveryTexts.Select(r => r.Statement.Text)));
            var answers = RunOracle(root, ["--texts", texts]);
            Assert.Equal(recoveryTexts.Count, answers.Count);
            for (var i = 0; i < answers.Count; i++)
            {
                using var doc = JsonDocument.Parse(answers[i]);
                var ok = doc.RootElement.GetProperty("ok").GetBoolean();
                var nodes = doc.RootElement.GetProperty("statements").EnumerateArray().Select(e => e.GetString()!).ToList();
                var (file, statement) = recoveryTexts[i];
                total++;
                if (statement.IsParsed ? ok && nodes.Count == 1 && nodes[0] == statement.Node : !ok)
                {
                    agreed++;
                }
                else
                {
                    disagreements.Add($"{Path.GetFileName(file)}@{statement.Start}: oracle [{string.Join(", ", nodes)}]{(ok ? "" : " error")}, Rose {statement.Node}");
                }
            }
        }
        finally
        {
            File.Delete(texts);
        }

        var percent = 100.0 * agreed / total;
        output.WriteLine($"oracle agreement: {agreed} of {total} statements ({percent:F2} %)");
        foreach (var d in disagreements.Take(50))
        {
            output.WriteLine(d);
        }

        Assert.True(total > 10_000, $"only {total} statements compared");
        Assert.True(percent >= 99.5, $"only {percent:F2} % of {total} statements agree with the PostgreSQL 17 oracle; first: {string.Join("; ", disagreements.Take(10))}");
    }

    /// <summary>UTF-8 byte offset -> UTF-16 offset, for the oracle's byte locations.</summary>
    private static int[] ByteToChar(string text)
    {
        var map = new List<int>(text.Length + 1);
        for (var i = 0; i < text.Length; i++)
        {
            var width = char.IsHighSurrogate(text[i]) && i + 1 < text.Length ? 4 : System.Text.Encoding.UTF8.GetByteCount(text.AsSpan(i, 1));
            for (var k = 0; k < width; k++)
            {
                map.Add(i);
            }

            if (width == 4)
            {
                i++;
            }
        }

        map.Add(text.Length);
        return [.. map];
    }

    /// <summary>node tests/oracle/parse.mjs with the arguments: its JSON lines.</summary>
    private static List<string> RunOracle(string root, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("node", [Path.Combine(root, "tests", "oracle", "parse.mjs"), .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = root,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start node");
        var stderrTask = process.StandardError.ReadToEndAsync();
        var lines = new List<string>();
        while (process.StandardOutput.ReadLine() is { } line)
        {
            lines.Add(line);
        }

        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"oracle failed: {stderrTask.Result}");
        return lines;
    }
}
