// 1,000 small migrations applied through Rose's migration runner (one executor session, advisory
// lock, a pg_dump snapshot, per migration: classify + policy + audit attempt + pre-counts + own
// transaction + history row + post-counts + audit outcome + devlog), then the same with
// single_transaction (one audited transaction for all, counts and devlogs per migration), against
// `psql -1 -f` of the same SQL concatenated (one transaction, no bookkeeping), each on a fresh
// database of one embedded server, RUNS turns (after a small warm-up run of each kind). Prints last:
//   migrations: per_migration=X single_transaction=Y   (median of Rose's times / median of psql's)
// Usage: dotnet run -c Release --project bench/Rose.Bench.Migrations -- [count] [runs]
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Rose.Core;
using Rose.Core.Configuration;
using Rose.Core.Identity;
using Rose.Core.Migrations;
using Rose.Core.Policy;
using Rose.Core.Control;
using Rose.Core.Embedded;

var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1000;
var runs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
const int WarmUpCount = 50;
var dataDir = Path.Combine(Path.GetTempPath(), "rose-bench-migrations-" + Environment.ProcessId);
await using var pg = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { DataDir = Path.Combine(dataDir, "pg"), UnsafeNoFsync = true }, NullLogger.Instance, CancellationToken.None);
try
{
    // Every turn gets fresh databases of its own (a target Rose has never migrated, as in the first turn), and
    // the warm-up its own, so no run finds what another left behind.
    var databases = new List<string> { "warm_each", "warm_single" };
    for (var r = 1; r <= runs; r++)
    {
        databases.AddRange([$"each_{r}", $"single_{r}", $"psql_{r}"]);
    }

    await pg.CreateDatabaseAsync("bench_control", CancellationToken.None);
    foreach (var database in databases)
    {
        await pg.CreateDatabaseAsync(database, CancellationToken.None);
    }

    static List<(string, string)> Files(int n) => [.. Enumerable.Range(1, n)
        .Select(i => ($"V{i}__step_{i}.sql", $"CREATE TABLE IF NOT EXISTS bench_{i} (id int PRIMARY KEY, v text);\nINSERT INTO bench_{i} VALUES (1, 'x');\n"))];
    var files = Files(count);
    var set = MigrationSet.From(files);

    var options = new RoseOptions { ControlConnection = pg.ConnectionString("bench_control"), Demo = false, DataDir = dataDir };
    foreach (var database in databases.Where(d => !d.StartsWith("psql_", StringComparison.Ordinal)))
    {
        options.Targets[database] = new TargetOptions { ConnectionString = pg.ConnectionString(database), Environment = "dev" };
    }

    await using var runtime = await RoseBootstrap.StartAsync(options, NullLoggerFactory.Instance, CancellationToken.None);
    var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Rose:ControlConnection"] = options.ControlConnection,
        ["Rose:DataDir"] = dataDir,
    }).Build();
    await using var services = new ServiceCollection().AddSingleton<IConfiguration>(config).AddLogging().AddRoseCore(runtime).BuildServiceProvider();
    var runner = services.GetRequiredService<MigrationRunner>();
    var policy = new SqlPolicy { AllowedDatabases = [.. options.Targets.Keys], AllowedOperations = ["CREATE TABLE", "INSERT"], Environment = "dev" };

    async Task<double> RoseAsync(string database, MigrationSet migrations, bool single)
    {
        var watch = Stopwatch.StartNew();
        var last = "";
        var progress = Environment.GetEnvironmentVariable("ROSE_BENCH_PHASES") == "1"
            ? new SyncProgress(p => { if (p.Stage != last) { Console.WriteLine(FormattableString.Invariant($"  {watch.Elapsed.TotalSeconds:F2}s {database} {p.Stage} {p.Message}")); last = p.Stage; } })
            : null;
        var result = await runner.ApplyAsync(new MigrationRunRequest(database, migrations, Actor.System("bench"), policy, "benchmark", SingleTransaction: single), progress, CancellationToken.None);
        if (progress is not null)
        {
            Console.WriteLine(FormattableString.Invariant($"  {watch.Elapsed.TotalSeconds:F2}s {database} returned"));
        }
        if (result.Status != MigrationRunStatus.Succeeded || result.Applied.Count != migrations.Versioned.Count() || result.Applied.Any(a => a.DevlogId is null))
        {
            throw new InvalidOperationException($"Rose run ended {result.Status}: {result.Error}");
        }

        return watch.Elapsed.TotalSeconds;
    }

    var script = Path.Combine(dataDir, "all.sql");
    await File.WriteAllTextAsync(script, string.Concat(files.Select(f => f.Item2)));
    var psql = Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin", "psql")).Where(File.Exists).Order().Last();

    async Task<double> PsqlAsync(string database)
    {
        var cs = new NpgsqlConnectionStringBuilder(pg.ConnectionString(database));
        var info = new ProcessStartInfo(psql) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-X", "-q", "-v", "ON_ERROR_STOP=1", "-1", "-f", script, "-h", cs.Host!, "-p", cs.Port.ToString(CultureInfo.InvariantCulture), "-U", cs.Username!, "-d", cs.Database! })
        {
            info.ArgumentList.Add(a);
        }

        if (!string.IsNullOrEmpty(cs.Password))
        {
            info.Environment["PGPASSWORD"] = cs.Password;
        }

        var watch = Stopwatch.StartNew();
        using var process = Process.Start(info)!;
        var err = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException("psql failed: " + await err);
        }

        return watch.Elapsed.TotalSeconds;
    }

    // A console serves many runs: the first one in a process also compiles (JIT) the runner, the parser
    // bindings and Npgsql's paths. A small run of each kind first, so the turns measure the steady state.
    var warm = MigrationSet.From(Files(WarmUpCount));
    await RoseAsync("warm_each", warm, single: false);
    await RoseAsync("warm_single", warm, single: true);

    // The sides take turns, and the ratios are of the medians: on this shared 2-core machine psql alone took
    // 1.5-4.0 s for the same file from one run to the next.
    var each = new List<double>();
    var single = new List<double>();
    var plain = new List<double>();
    for (var r = 1; r <= runs; r++)
    {
        each.Add(await RoseAsync($"each_{r}", set, single: false));
        single.Add(await RoseAsync($"single_{r}", set, single: true));
        plain.Add(await PsqlAsync($"psql_{r}"));
        Console.WriteLine(FormattableString.Invariant(
            $"turn {r}/{runs}: rose {each[^1]:F2} s, rose single_transaction {single[^1]:F2} s, psql -1 -f {plain[^1]:F2} s (load {File.ReadAllText("/proc/loadavg").Split(' ')[0]})"));
    }

    static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    var roseSeconds = Median(each);
    var singleSeconds = Median(single);
    var psqlSeconds = Median(plain);
    Console.WriteLine(FormattableString.Invariant($"migrations: {count}, medians of {runs} turns"));
    Console.WriteLine(FormattableString.Invariant($"rose seconds: {roseSeconds:F2} ({count / roseSeconds:F0} migrations/s, {roseSeconds * 1000 / count:F2} ms each)"));
    Console.WriteLine(FormattableString.Invariant($"psql seconds: {psqlSeconds:F2} ({count / psqlSeconds:F0} migrations/s)"));
    Console.WriteLine(FormattableString.Invariant($"rose single_transaction seconds: {singleSeconds:F2} ({singleSeconds * 1000 / count:F2} ms each)"));
    Console.WriteLine(FormattableString.Invariant($"migrations: per_migration={roseSeconds / psqlSeconds:F2} single_transaction={singleSeconds / psqlSeconds:F2}"));
}
finally
{
    await pg.DisposeAsync();
    try
    {
        Directory.Delete(dataDir, recursive: true);
    }
    catch (IOException)
    {
        // The server may still hold a file for a moment; a temp folder is left behind at worst.
    }
}

/// <summary>Reports on the caller's thread, in order (Progress&lt;T&gt; posts to the thread pool and can reorder).</summary>
internal sealed class SyncProgress(Action<MigrationProgress> report) : IProgress<MigrationProgress>
{
    public void Report(MigrationProgress value) => report(value);
}
