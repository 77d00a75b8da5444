using System.Diagnostics;
using System.Globalization;

namespace Rose.Bench.Execution;

/// <summary>Runs a call from N concurrent callers for a fixed time and keeps every latency.</summary>
internal sealed record Load(int Calls, double Seconds, double[] LatenciesMs)
{
    public double PerSecond => Calls / Seconds;

    public static async Task<Load> RunAsync(Func<int, Task> call, int callers, double seconds)
    {
        await Drive(call, callers, 2); // warm-up: pools, JIT, plans
        return await Drive(call, callers, seconds);
    }

    /// <summary>
    /// Runs every case in turns, at one caller and at many, until the JIT has stopped compiling (fewer than
    /// <paramref name="quietMethods"/> methods in a whole round) or <paramref name="maxSeconds"/> pass. Why: the
    /// HTTP case brings in Kestrel, routing, authentication and JSON code that the tiered JIT recompiles for
    /// tens of seconds (perf put the tiered-compilation thread at a third of the process's CPU 15-23 s into an
    /// API-only run, and at nothing after 50 s); a case measured during that measures the JIT, not the path.
    /// A long-running console is in the settled state. Returns the seconds spent and the methods still compiled
    /// in the last round.
    /// </summary>
    public static async Task<(double Seconds, long LastRound)> SettleAsync(IReadOnlyList<Func<int, Task>> cases, int manyCallers, double maxSeconds, long quietMethods = 10)
    {
        var total = Stopwatch.StartNew();
        long last;
        do
        {
            var before = System.Runtime.JitInfo.GetCompiledMethodCount();
            foreach (var callers in new[] { 1, manyCallers })
            {
                foreach (var call in cases)
                {
                    await Drive(call, callers, 1);
                }
            }

            last = System.Runtime.JitInfo.GetCompiledMethodCount() - before;
        }
        while (last >= quietMethods && total.Elapsed.TotalSeconds < maxSeconds);
        return (total.Elapsed.TotalSeconds, last);
    }

    private static async Task<Load> Drive(Func<int, Task> call, int callers, double seconds)
    {
        var latencies = new List<double>[callers];
        var total = Stopwatch.StartNew();
        var until = TimeSpan.FromSeconds(seconds);
        var counter = 0;
        var tasks = Enumerable.Range(0, callers).Select(async c =>
        {
            var mine = latencies[c] = [];
            while (total.Elapsed < until)
            {
                var i = Interlocked.Increment(ref counter);
                var start = Stopwatch.GetTimestamp();
                await call(i);
                mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        });
        await Task.WhenAll(tasks);
        var all = latencies.SelectMany(l => l).Order().ToArray();
        return new Load(all.Length, total.Elapsed.TotalSeconds, all);
    }

    public double P50 => Percentile(0.50);

    private double Percentile(double p) => LatenciesMs.Length == 0 ? 0 : LatenciesMs[Math.Min(LatenciesMs.Length - 1, (int)(p * LatenciesMs.Length))];

    public string Row(string name, int callers, Load baseline) => string.Create(CultureInfo.InvariantCulture,
        $"| {name} | {callers} | {PerSecond:F0} | {Percentile(0.50):F2} | {Percentile(0.99):F2} | {PerSecond / baseline.PerSecond:F2} |");
}
