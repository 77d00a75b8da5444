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
