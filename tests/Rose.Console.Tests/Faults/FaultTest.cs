namespace Rose.Console.Tests.Faults;

/// <summary>
/// The base of the fault tests: a fresh control database (a copy of the migrated template, so a start
/// does not replay the schema) and a fresh target holding the table the test writes, on the run's one
/// PostgreSQL server; a <see cref="FaultProxy"/> in front of either, made on first use; the environment of
/// a real console process (<see cref="ConsoleProcess"/>) over them; and HTTP clients with the agent's key.
/// Each test gets its own databases (xunit makes a class instance per test), since the faults leave
/// open attempts, killed backends and recovered outcomes that the next test must not read.
/// </summary>
public abstract class FaultTest(PostgresServerFixture pg, string name, string targetSchema) : IAsyncLifetime
{
    protected const string Key = "rose_fault_test_key_0123456789abcdef";

    /// <summary>Attempts without an outcome (running, or left by a killed console until recovery writes one).</summary>
    protected const string OpenAttempts = "SELECT count(*) FROM rose.audit_log a WHERE NOT EXISTS (SELECT 1 FROM rose.audit_outcome o WHERE o.audit_id = a.id)";

    /// <summary><see cref="OpenAttempts"/> as a condition for <see cref="Db.WaitUntilAsync"/>: every attempt has its outcome.</summary>
    protected const string NoOpenAttempt = "SELECT count(*) = 0 FROM rose.audit_log a WHERE NOT EXISTS (SELECT 1 FROM rose.audit_outcome o WHERE o.audit_id = a.id)";

    private FaultProxy? controlProxy;
    private FaultProxy? targetProxy;

    protected PostgresServerFixture Pg => pg;

    /// <summary>Superuser connection string to the test's control database (direct, not through a proxy).</summary>
    protected string Control { get; private set; } = null!;

    /// <summary>Superuser connection string to the test's target database (direct, not through a proxy).</summary>
    protected string Target { get; private set; } = null!;

    /// <summary>A proxy in front of the control database; the console reaches it through one only when its settings say so.</summary>
    protected FaultProxy ControlProxy => controlProxy ??= FaultProxy.To(Control);

    /// <summary>A proxy in front of the target database.</summary>
    protected FaultProxy TargetProxy => targetProxy ??= FaultProxy.To(Target);

    public virtual async Task InitializeAsync()
    {
        Control = await pg.CreateControlDatabaseAsync(name + "_control");
        Target = await pg.CreateDatabaseAsync(name + "_target");
        await Db.ExecAsync(Target, targetSchema);
    }

    public virtual async Task DisposeAsync()
    {
        if (controlProxy is not null)
        {
            await controlProxy.DisposeAsync();
        }

        if (targetProxy is not null)
        {
            await targetProxy.DisposeAsync();
        }
    }

    /// <summary>
    /// The console's environment: the control database and the `demo` target (directly, or the connection
    /// strings given, e.g. through a proxy), a data folder of its own, the agent `rose` with <see cref="Key"/>,
    /// and recovery every second so a test waits for it in seconds.
    /// </summary>
    protected Dictionary<string, string?> Settings(string? control = null, string? target = null) => new()
    {
        ["Rose__ControlConnection"] = control ?? Control,
        ["Rose__DataDir"] = Directory.CreateTempSubdirectory("rose-" + name + "-").FullName,
        ["Rose__Targets__demo__ConnectionString"] = target ?? Target,
        ["Rose__Targets__demo__Environment"] = "dev",
        ["Rose__Agents__rose__ApiKey"] = Key,
        ["Rose__Audit__RecoveryIntervalSeconds"] = "1",
    };

    /// <summary>A client of the console signed in with an agent's key (`rose`'s unless given); its timeout is above every wait the tests provoke.</summary>
    protected static HttpClient Client(Uri baseUrl, string key = Key, int timeoutSeconds = 60)
    {
        var http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(timeoutSeconds) };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        return http;
    }

    /// <summary>Runs one statement through the API on `demo`.</summary>
    protected static Task<HttpResponseMessage> Execute(HttpClient api, string sql) =>
        System.Net.Http.Json.HttpClientJsonExtensions.PostAsJsonAsync(api, "/api/v1/sql/execute", new { database = "demo", sql });

    /// <summary>The connection string through a proxy, with the given settings changed (timeouts, pool size).</summary>
    protected static string Through(FaultProxy proxy, string connection, Action<NpgsqlConnectionStringBuilder>? change = null)
    {
        var builder = new NpgsqlConnectionStringBuilder(proxy.Rewrite(connection));
        change?.Invoke(builder);
        return builder.ConnectionString;
    }
}
