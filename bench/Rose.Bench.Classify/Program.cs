// Classification throughput: classifies every .sql file of the regression corpus N times with
// PgQueryClassifier (whichever libpg_query ROSE_LIBPG_QUERY or the default search loads) and prints
// one result line last: "rose: library=<path> statements_per_s=<n> mb_per_s=<m>".
// Usage: dotnet bench/Rose.Bench.Classify/bin/Release/.../Rose.Bench.Classify.dll <corpus dir> [iterations]
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Rose.Core.Sql;

var corpus = args.Length > 0 ? args[0] : "../shared/corpus/postgres_regress";
var iterations = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
var texts = Directory.GetFiles(corpus, "*.sql").Order(StringComparer.Ordinal).Select(File.ReadAllText).ToArray();
var bytesPerPass = texts.Sum(t => (long)Encoding.UTF8.GetByteCount(t));
var classifier = new PgQueryClassifier();

// Warm-up: load the library and JIT the code paths once.
var perPass = 0;
var unparseable = 0;
foreach (var text in texts)
{
    var batch = classifier.Classify(text);
    perPass += batch.Statements.Count;
    unparseable += batch.Statements.Count(s => !s.IsParsed);
}

// CPU time of the process next to wall time: on a shared machine wall time swings with the other
// jobs' load, CPU time much less (it still counts the JIT and GC threads).
var cpuBefore = Environment.CpuUsage.TotalTime;
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
var seconds = watch.Elapsed.TotalSeconds;
var cpuSeconds = (Environment.CpuUsage.TotalTime - cpuBefore).TotalSeconds;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"files: {texts.Length}, MB per pass: {bytesPerPass / 1e6:F2}, statements per pass: {perPass} ({unparseable} UNPARSEABLE), passes: {iterations}, seconds: {seconds:F2}, cpu seconds: {cpuSeconds:F2}, statements per cpu second: {statements / cpuSeconds:F0}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"rose: library={PgQueryClassifier.LibraryPath} statements_per_s={statements / seconds:F0} mb_per_s={bytesPerPass * iterations / 1e6 / seconds:F2}"));
