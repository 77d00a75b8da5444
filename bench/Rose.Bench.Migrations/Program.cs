// 1,000 small migrations applied through Rose's migration runner (one executor session, advisory
// lock, a pg_dump snapshot, per migration: classify + policy + audit attempt + pre-counts + own
// transaction + history row + post-counts + audit outcome + devlog), then the same with
// single_transaction (one audited transaction for all, counts and devlogs per migration), against
// `psql -1 -f` of the same SQL concatenated (one transaction, no bookkeeping), each on a fresh
// database of one embedded server. Prints last:
//   migrations: per_migration=X single_transaction=Y   (Rose's time / psql's time)
// Usage: dotnet run -c Release --project bench/Rose.Bench.Migrations -- [count]
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
var dataDir = Path.Combine(Path.GetTempPath(), "rose-bench-migrations-" + Environment.ProcessId);
await using var pg = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { DataDir = Path.Combine(dataDir, "pg"), UnsafeNoFsync = true }, NullLogger.Instance, CancellationToken.None);
try
{
    await pg.CreateDatabaseAsync("bench_control", CancellationToken.None);
    await pg.CreateDatabaseAsync("bench_rose", CancellationToken.None);
    await pg.CreateDatabaseAsync("bench_psql", CancellationToken.None);
    await pg.CreateDatabaseAsync("bench_single", CancellationToken.None);

    var files = Enumerable.Range(1, count)
        .Select(i => ($"V{i}__step_{i}.sql", $"CREATE TABLE IF NOT EXISTS bench_{i} (id int PRIMARY KEY, v text);\nINSERT INTO bench_{i} VALUES (1, 'x');\n"))
        .ToList();
    var set = MigrationSet.From(files);

    var options = new RoseOptions { ControlConnection = pg.ConnectionString("bench_control"), Demo = false, DataDir = dataDir };
    options.Targets["bench"] = new TargetOptions { ConnectionString = pg.ConnectionString("bench_rose"), Environment = "dev" };
    options.Targets["single"] = new TargetOptions { ConnectionString = pg.ConnectionString("bench_single"), Environment = "dev" };
    await using var runtime = await RoseBootstrap.StartAsync(options, NullLoggerFactory.Instance, CancellationToken.None);
    var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Rose:ControlConnection"] = options.ControlConnection,
        ["Rose:DataDir"] = dataDir,
    }).Build();
    await using var services = new ServiceCollection().AddSingleton<IConfiguration>(config).AddLogging().AddRoseCore(runtime).BuildServiceProvider();
    var runner = services.GetRequiredService<MigrationRunner>();
    var policy = new SqlPolicy { AllowedDatabases = ["bench", "single"], AllowedOperations = ["CREATE TABLE", "INSERT"], Environment = "dev" };

    async Task<double> RoseAsync(string database, bool single)
    {
        var watch = Stopwatch.StartNew();
        var last = "";
        var progress = Environment.GetEnvironmentVariable("ROSE_BENCH_PHASES") == "1"
            ? new SyncProgress(p => { if (p.Stage != last) { Console.WriteLine(FormattableString.Invariant($"  {watch.Elapsed.TotalSeconds:F2}s {database} {p.Stage} {p.Message}")); last = p.Stage; } })
            : null;
        var result = await runner.ApplyAsync(new MigrationRunRequest(database, set, Actor.System("bench"), policy, "benchmark", SingleTransaction: single), progress, CancellationToken.None);
        if (progress is not null)
        {
            Console.WriteLine(FormattableString.Invariant($"  {watch.Elapsed.TotalSeconds:F2}s {database} returned"));
        }
        if (result.Status != MigrationRunStatus.Succeeded || result.Applied.Count != count || result.Applied.Any(a => a.DevlogId is null))
        {
            throw new InvalidOperationException($"Rose run ended {result.Status}: {result.Error}");
        }

        return watch.Elapsed.TotalSeconds;
    }

    var roseSeconds = await RoseAsync("bench", single: false);
    var singleSeconds = await RoseAsync("single", single: true);

    var script = Path.Combine(dataDir, "all.sql");
    await File.WriteAllTextAsync(script, string.Concat(files.Select(f => f.Item2)));
    var cs = new NpgsqlConnectionStringBuilder(pg.ConnectionString("bench_psql"));
    var psql = Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin", "psql")).Where(File.Exists).Order().Last();
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
    using (var process = Process.Start(info)!)
    {
        var err = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException("psql failed: " + await err);
        }
    }

    var psqlSeconds = watch.Elapsed.TotalSeconds;
    Console.WriteLine(FormattableString.Invariant($"migrations: {count}"));
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
