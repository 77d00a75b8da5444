// Audited execution and API throughput against a baseline run in the same process:
//   pipeline: ExecutionService (classify + policy + audit attempt + execute + audit outcome)
//   api:      POST /api/v1/sql/execute on a real loopback Kestrel host with an agent key
//   baseline: plain Npgsql doing the same one-row SELECT plus one audit-like INSERT
// Usage: dotnet run -c Release --project bench/Rose.Bench.Execution -- [seconds-per-case]
using System.Diagnostics;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Rose.Bench.Execution;
using Rose.Console.Hosting;
using Rose.Core.Execution;
using Rose.Core.Identity;
using Rose.Core.Policy;
using Rose.Core.Control;
using Rose.Core.Embedded;

var seconds = args.Length > 0 ? double.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 10;
var dataDir = Path.Combine(Path.GetTempPath(), "rose-bench-exec-" + Environment.ProcessId);
await using var pg = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { DataDir = dataDir, UnsafeNoFsync = true }, NullLogger.Instance, CancellationToken.None);
try
{
    await pg.CreateDatabaseAsync("bench_control", CancellationToken.None);
    await pg.CreateDatabaseAsync("bench_target", CancellationToken.None);
    var target = pg.ConnectionString("bench_target");
    await using (var conn = new NpgsqlConnection(target))
    {
        await conn.OpenAsync();
        await SqlScript.ExecuteAsync(conn, null, """
            CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL);
            INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 10000) g;
            CREATE TABLE audit_baseline (id bigserial PRIMARY KEY, occurred_at timestamptz NOT NULL DEFAULT now(), executor text, sql_text text, status text, rows bigint);
            """, CancellationToken.None);
    }

    const string Key = "rose_bench_key_0123456789abcdef0123";
    var settings = new Dictionary<string, string?>
    {
        ["Rose:ControlConnection"] = pg.ConnectionString("bench_control"),
        ["Rose:Targets:demo:ConnectionString"] = target,
        ["Rose:Targets:demo:Environment"] = "dev",
        ["Rose:Agents:bench:ApiKey"] = Key,
        ["Rose:Agents:bench:Policy:allowed_databases:0"] = "demo",
        ["Rose:Agents:bench:Policy:allowed_operations:0"] = "SELECT",
        ["Rose:Agents:bench:Policy:environment"] = "dev",
        ["Rose:Auth:AgentRequestsPerMinute"] = "100000000",
        ["Logging:LogLevel:Default"] = "Warning",
    };
    var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production", ApplicationName = "Rose.Console" });
    builder.Configuration.AddInMemoryCollection(settings);
    builder.WebHost.UseUrls("http://127.0.0.1:0");
    builder.Logging.SetMinimumLevel(LogLevel.Warning);
    await builder.AddRoseConsoleAsync();
    await using var app = builder.Build();
    app.UseRoseConsole();
    await app.StartAsync();
    var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

    var execution = app.Services.GetRequiredService<ExecutionService>();
    var keyCache = app.Services.GetRequiredService<Rose.Core.Agents.ApiKeyCache>();
    var agent = new Actor("bench", "bench", ActorKind.Agent, "bench");
    var policy = new SqlPolicy { AllowedDatabases = ["demo"], AllowedOperations = ["SELECT"], Environment = "dev" };
    await using var baselineSource = NpgsqlDataSource.Create(target);
    using var http = new HttpClient { BaseAddress = new Uri(url) };
    http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Key);

    // ROSE_BENCH_SETTLE_MAX: the most seconds to settle before measuring (default 120); 0 skips it, as runs before the
    // thirteenth round did.
    static double SettleMax() =>
        double.Parse(Environment.GetEnvironmentVariable("ROSE_BENCH_SETTLE_MAX") ?? "120", System.Globalization.CultureInfo.InvariantCulture);

    async Task Baseline(int i)
    {
        await using var conn = await baselineSource.OpenConnectionAsync();
        await using (var select = new NpgsqlCommand("SELECT id, name FROM items WHERE id = $1", conn))
        {
            select.Parameters.Add(new NpgsqlParameter<int> { TypedValue = i % 10000 + 1 });
            await using var reader = await select.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
            }
        }

        await using var insert = new NpgsqlCommand("INSERT INTO audit_baseline (executor, sql_text, status, rows) VALUES ('bench', $1, 'succeeded', 1)", conn);
        insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = "SELECT id, name FROM items WHERE id = " + (i % 10000 + 1) });
        await insert.ExecuteNonQueryAsync();
    }

    async Task Pipeline(int i)
    {
        var outcome = await execution.ExecuteAsync(new ExecutionRequest(agent, Channel.Api, "demo",
            $"SELECT id, name FROM items WHERE id = {i % 10000 + 1}", "bench", policy), null, CancellationToken.None);
        if (outcome.Status != OutcomeStatus.Succeeded)
        {
            throw new InvalidOperationException(outcome.Status.ToString());
        }
    }

    async Task Api(int i)
    {
        using var response = await http.PostAsJsonAsync("/api/v1/sql/execute",
            new { database = "demo", sql = $"SELECT id, name FROM items WHERE id = {i % 10000 + 1}", reason = "bench" });
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    if (Environment.GetEnvironmentVariable("ROSE_BENCH_PHASES") == "1")
    {
        // Where one caller's time goes: each phase of the pipeline alone, same statement shape.
        var classifier = app.Services.GetRequiredService<Rose.Core.Sql.ISqlClassifier>();
        var auditLog = app.Services.GetRequiredService<Rose.Core.Audit.AuditLog>();
        var sqlExecutor = app.Services.GetRequiredService<SqlExecutor>();
        app.Services.GetRequiredService<Rose.Core.Targets.TargetRegistry>().TryGet("demo", out var demo);
        var limits = new ExecutionLimits(1000, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(5));
        async Task Phase(string name, Func<int, Task> call)
        {
            var load = await Load.RunAsync(call, 1, 3);
            Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"phase {name}: p50 {load.P50:F3} ms, {load.PerSecond:F0}/s"));
        }

        await Phase("classify", i => { classifier.Classify($"SELECT id, name FROM items WHERE id = {i % 10000 + 1}"); return Task.CompletedTask; });
        await Phase("redact", i => { Rose.Core.Audit.Redaction.SqlRedactor.Redact($"SELECT id, name FROM items WHERE id = {i % 10000 + 1}"); return Task.CompletedTask; });
        await Phase("audit attempt", async i => await auditLog.RecordAttemptAsync(new Rose.Core.Audit.AuditAttempt(agent, Channel.Api, "demo", "bench",
            $"SELECT id, name FROM items WHERE id = {i % 10000 + 1}", ["SELECT"], Decision.Allow, [], null, null), CancellationToken.None));
        await Phase("audit attempt+outcome", async i =>
        {
            var id = await auditLog.RecordAttemptAsync(new Rose.Core.Audit.AuditAttempt(agent, Channel.Api, "demo", "bench",
                $"SELECT id, name FROM items WHERE id = {i % 10000 + 1}", ["SELECT"], Decision.Allow, [], null, null), CancellationToken.None);
            await auditLog.RecordOutcomeAsync(id, new Rose.Core.Audit.AuditOutcome(Rose.Core.Audit.AuditStatus.Succeeded, 1, 0.1, null, null, "[]"), CancellationToken.None);
        });
        await Phase("executor", async i => await sqlExecutor.ExecuteAsync(demo, classifier.Classify($"SELECT id, name FROM items WHERE id = {i % 10000 + 1}"), limits, null, CancellationToken.None));
        await Phase("pipeline", Pipeline);
        await Phase("baseline", Baseline);
    }

    if (Environment.GetEnvironmentVariable("ROSE_BENCH_ONLY") is { Length: > 0 } only)
    {
        // For a profiler attached to this process: one case alone, one caller, after its warm-up.
        var auditLog = app.Services.GetRequiredService<Rose.Core.Audit.AuditLog>();
        Func<int, Task> Attempt = async i => await auditLog.RecordAttemptAsync(new Rose.Core.Audit.AuditAttempt(agent, Channel.Api, "demo", "bench",
            $"SELECT id, name FROM items WHERE id = {i % 10000 + 1}", ["SELECT"], Decision.Allow, [], null, null), CancellationToken.None);
        Func<int, Task> call = only switch
        {
            "pipeline" => Pipeline,
            "api" => Api,
            "baseline" => Baseline,
            "attempt" => Attempt,
            _ => throw new ArgumentException("ROSE_BENCH_ONLY: pipeline, api, baseline or attempt"),
        };
        // ROSE_BENCH_ONLY_CALLERS: how many callers (default 1); the case settles first (Load.SettleAsync).
        var onlyCallers = int.Parse(Environment.GetEnvironmentVariable("ROSE_BENCH_ONLY_CALLERS") ?? "1", System.Globalization.CultureInfo.InvariantCulture);
        var settledAlone = await Load.SettleAsync([call], onlyCallers, SettleMax());
        Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"settled in {settledAlone.Seconds:F0} s; measuring"));
        var alone = await Load.RunAsync(call, onlyCallers, seconds);
        Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{only} alone: p50 {alone.P50:F3} ms, {alone.PerSecond:F0}/s"));
        await app.StopAsync();
        return;
    }

    // Settle first (Load.SettleAsync says why).
    var settleMax = SettleMax();
    if (settleMax > 0)
    {
        var settled = await Load.SettleAsync([Baseline, Pipeline, Api], 32, settleMax);
        Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"settled: every case in turns for {settled.Seconds:F0} s until the JIT compiled {settled.LastRound} methods in a round (limit {settleMax:F0} s)"));
    }

    Console.WriteLine($"Each case runs {seconds} s after a 2 s warm-up; 2 cores; one embedded PostgreSQL 15 for control and target.");
    Console.WriteLine("| case | callers | calls/s | p50 ms | p99 ms | ratio vs baseline (throughput) |");
    Console.WriteLine("| --- | --- | --- | --- | --- | --- |");
    var ratios = new Dictionary<string, double>();
    foreach (var callers in new[] { 1, 32 })
    {
        var baseline = await Load.RunAsync(Baseline, callers, seconds);
        Console.WriteLine(baseline.Row("plain Npgsql SELECT + audit INSERT", callers, baseline));
        var pipeline = await Load.RunAsync(Pipeline, callers, seconds);
        Console.WriteLine(pipeline.Row("Rose ExecutionService (in process)", callers, baseline));
        var api = await Load.RunAsync(Api, callers, seconds);
        Console.WriteLine(api.Row("Rose HTTP API (loopback)", callers, baseline));
        // The same API with the key cache switched off (as when its change listener is down): every call
        // verifies the key in the control database. Shows what the cache buys within this run.
        keyCache.SetLive(false);
        var uncached = await Load.RunAsync(Api, callers, seconds);
        keyCache.SetLive(true);
        Console.WriteLine(uncached.Row("Rose HTTP API, key cache off", callers, baseline));
        ratios[$"inproc_{callers}"] = pipeline.PerSecond / baseline.PerSecond;
        ratios[$"api_{callers}"] = api.PerSecond / baseline.PerSecond;
        Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"key cache at {callers} caller(s): api {api.PerSecond:F0}/s vs {uncached.PerSecond:F0}/s uncached ({api.PerSecond / uncached.PerSecond:F2}x)"));
        if (callers == 1)
        {
            ratios["p50x_1"] = pipeline.P50 / baseline.P50;
        }
    }

    await app.StopAsync();
    // The summary line comes last (bench/README.md, PRODUCT.md): ratios vs the baseline of this run.
    Console.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"execution: inproc_1={ratios["inproc_1"]:F2} inproc_32={ratios["inproc_32"]:F2} api_1={ratios["api_1"]:F2} api_32={ratios["api_32"]:F2} p50x_1={ratios["p50x_1"]:F2}"));
}
finally
{
    await pg.StopAsync();
    try
    {
        Directory.Delete(dataDir, recursive: true);
    }
    catch (IOException)
    {
    }
}
