// Classification throughput: classifies every .sql file of the regression corpus N times with
// PgQueryClassifier and prints statements/s as the last line: "rose statements/s: <n>".
// Usage: dotnet run -c Release --project bench/Rose.Bench.Classify -- <corpus dir> [iterations]
using System.Diagnostics;
using Rose.Core.Sql;

var corpus = args.Length > 0 ? args[0] : "../shared/corpus/postgres_regress";
var iterations = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5;
var texts = Directory.GetFiles(corpus, "*.sql").Order(StringComparer.Ordinal).Select(File.ReadAllText).ToArray();
var classifier = new PgQueryClassifier();

// Warm-up: load the library and JIT the code paths once.
var perPass = texts.Sum(t => classifier.Classify(t).Statements.Count);

var watch = Stopwatch.StartNew();
long statements = 0;
for (var i = 0; i < iterations; i++)
{
    foreach (var text in texts)
    {
        statements += classifier.Classify(text).Statements.Count;
    }
}

watch.Stop();
Console.WriteLine($"files: {texts.Length}, statements per pass: {perPass}, passes: {iterations}, seconds: {watch.Elapsed.TotalSeconds:F2}");
Console.WriteLine($"rose statements/s: {statements / watch.Elapsed.TotalSeconds:F0}");
