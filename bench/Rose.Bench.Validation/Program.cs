using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Rose.Core;
using Rose.Core.Configuration;
using Rose.Core.Identity;
using Rose.Core.Control;
using Rose.Core.Validation;
using Rose.Core.Validation.Storage;
using Rose.Tests.Shared;

// Validation benchmark: the full check suite (through the real pipeline: classify, policy, audit,
// executor) on an N-row table against one hand-written query computing the same counts directly.
// Usage: dotnet run -c Release --project bench/Rose.Bench.Validation -- [rows=10000000]
var rows = args.Length > 0 ? long.Parse(args[0], CultureInfo.InvariantCulture) : 10_000_000L;
var server = await PostgresServer.GetAsync();
var target = await server.CreateDatabaseAsync("bench_validation", CancellationToken.None);
var control = await server.CreateDatabaseAsync("bench_control", CancellationToken.None);

var seed = Stopwatch.StartNew();
await using (var conn = new NpgsqlConnection(target))
{
    await conn.OpenAsync();
    // UNLOGGED: the benchmark measures reads; skipping WAL keeps seeding bearable on 2 cores.
    await SqlScript.ExecuteAsync(conn, null, $"""
        CREATE TABLE accounts (id int PRIMARY KEY);
        INSERT INTO accounts SELECT generate_series(1, 100000);
        CREATE UNLOGGED TABLE events (id bigint NOT NULL, account_id int, email text, name text, status text, created_at timestamptz);
        INSERT INTO events
        SELECT g, 1 + g % 100001,
               CASE WHEN g % 1000000 = 0 THEN 'dup@example.com' ELSE 'u' || g || '@example.com' END,
               CASE WHEN g % 997 = 0 THEN NULL ELSE 'name ' || g END,
               CASE WHEN g % 1000 = 0 THEN 'bogus' ELSE (ARRAY['new', 'paid', 'shipped'])[1 + g % 3] END,
               now() - g * interval '1 second'
        FROM generate_series(1, {rows}) AS g;
        ANALYZE events;
        """, CancellationToken.None, commandTimeoutSeconds: 3600);
}

seed.Stop();
Console.WriteLine($"rows: {rows:N0}; seeding took {seed.Elapsed.TotalSeconds:F1} s");

var options = new RoseOptions { ControlConnection = control, Demo = false, DataDir = Path.GetTempPath() };
options.Targets["bench"] = new TargetOptions { ConnectionString = target, Environment = "dev", StatementTimeoutSeconds = 3600 };
var runtime = await RoseBootstrap.StartAsync(options, NullLoggerFactory.Instance, CancellationToken.None);
var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Rose:Validation:RunTimeoutSeconds"] = "7200" }).Build();
await using var services = new ServiceCollection().AddSingleton<IConfiguration>(config).AddLogging().AddRoseCore(runtime).BuildServiceProvider();
var store = services.GetRequiredService<ValidationCheckStore>();
CheckDefinition[] suite =
[
    new() { Kind = CheckKinds.NotNull, Table = "events", Columns = ["name"] },
    new() { Kind = CheckKinds.AcceptedValues, Table = "events", Columns = ["status"], Values = ["new", "paid", "shipped"] },
    new() { Kind = CheckKinds.Freshness, Table = "events", Columns = ["created_at"], MaxAgeMinutes = 60 },
    new() { Kind = CheckKinds.Duplicates, Table = "events", Columns = ["email"] },
    new() { Kind = CheckKinds.Orphans, Table = "events", Columns = ["account_id"], RefTable = "accounts", RefColumns = ["id"] },
];
foreach (var check in suite)
{
    await store.UpsertAsync("bench", check, "bench", CancellationToken.None);
}

var runner = services.GetRequiredService<ValidationRunner>();
var suiteWatch = Stopwatch.StartNew();
var report = await runner.RunAsync("bench", Actor.System("bench"), CancellationToken.None);
suiteWatch.Stop();
foreach (var r in report.Results.Where(r => r.Table == "events"))
{
    Console.WriteLine($"  {r.Status,-5} {r.Key,-60} failing={r.FailingRows?.ToString(CultureInfo.InvariantCulture) ?? "-",-9} {r.DurationMs,9:F0} ms");
}

const string HandWritten = """
    SELECT count(*),
           count(*) FILTER (WHERE name IS NULL),
           count(*) FILTER (WHERE status IS NOT NULL AND status NOT IN ('new', 'paid', 'shipped')),
           max(created_at),
           (SELECT sum(c) FROM (SELECT count(*) AS c FROM events WHERE email IS NOT NULL GROUP BY email HAVING count(*) > 1) AS d),
           (SELECT count(*) FROM events e WHERE e.account_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = e.account_id))
    FROM events
    """;
var handWatch = Stopwatch.StartNew();
await using (var conn = new NpgsqlConnection(target))
{
    await conn.OpenAsync();
    await using var cmd = new NpgsqlCommand(HandWritten, conn) { CommandTimeout = 3600 };
    await using var reader = await cmd.ExecuteReaderAsync();
    await reader.ReadAsync();
    Console.WriteLine($"hand-written: count={reader.GetInt64(0)} nulls={reader.GetInt64(1)} bad_status={reader.GetInt64(2)} dup_rows={reader.GetValue(4)} orphans={reader.GetInt64(5)}");
}

handWatch.Stop();
Console.WriteLine($"suite (whole run: catalog, {report.Results.Count} checks, schema audit, audit log writes): {suiteWatch.Elapsed.TotalSeconds:F2} s");
Console.WriteLine($"hand-written aggregate query: {handWatch.Elapsed.TotalSeconds:F2} s");
Console.WriteLine($"ratio suite/hand-written: {suiteWatch.Elapsed.TotalSeconds / handWatch.Elapsed.TotalSeconds:F2}");
await runtime.DisposeAsync();
await server.DropDatabaseAsync(new NpgsqlConnectionStringBuilder(target).Database!, CancellationToken.None);
await server.DropDatabaseAsync(new NpgsqlConnectionStringBuilder(control).Database!, CancellationToken.None);
