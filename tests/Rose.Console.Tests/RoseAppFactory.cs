using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Rose.Console.Tests;

/// <summary>
/// The real console host over fresh databases on the test PostgreSQL server: a control database
/// and a `demo` target with a small table. Settings go in as host settings, which the host reads
/// before it builds (the same path as environment variables).
/// </summary>
public sealed class RoseAppFactory : WebApplicationFactory<Program>
{
    public const string AgentKey = "rose_test_agent_key_0123456789abcdef";

    private readonly Dictionary<string, string?> settings;

    private RoseAppFactory(Dictionary<string, string?> settings, string targetConnection, string controlConnection)
    {
        this.settings = settings;
        TargetConnection = targetConnection;
        ControlConnection = controlConnection;
    }

    /// <summary>The host settings this factory applies (also usable for a <see cref="RealHost"/>).</summary>
    public IDictionary<string, string?> Settings => settings;

    public string TargetConnection { get; }
    public string ControlConnection { get; }

    public static async Task<RoseAppFactory> CreateAsync(PostgresServerFixture pg, string environment = "Development",
        IDictionary<string, string?>? extra = null)
    {
        var control = await pg.CreateControlDatabaseAsync("console_control");
        var target = await pg.CreateDatabaseFromTemplateAsync("console_target", "console_widgets", async (connection, ct) =>
        {
            await using var conn = new NpgsqlConnection(connection);
            await conn.OpenAsync(ct);
            await Rose.Core.Control.SqlScript.ExecuteAsync(conn, null,
                "CREATE TABLE widgets (id int PRIMARY KEY, name text, price numeric(12,2), made timestamptz, big bigint, payload jsonb, blob bytea); " +
                "INSERT INTO widgets SELECT g, 'widget ' || g, g * 1.5, '2024-05-01 10:00:00+00', 9007199254740993, '{\"k\": [1, 2]}', '\\x01ff' FROM generate_series(1, 20) g;", ct);
        });

        var settings = new Dictionary<string, string?>
        {
            ["environment"] = environment,
            ["Rose:ControlConnection"] = control,
            ["Rose:DataDir"] = Path.Combine(Path.GetTempPath(), "rose-console-tests"),
            ["Rose:Targets:demo:ConnectionString"] = target,
            ["Rose:Targets:demo:Environment"] = "dev",
            ["Rose:Agents:rose:ApiKey"] = AgentKey,
        };
        foreach (var (k, v) in extra ?? new Dictionary<string, string?>())
        {
            settings[k] = v;
        }

        return new RoseAppFactory(settings, target, control);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
    }

    /// <summary>A client that does not follow redirects, signed in as a development user (or anonymous).</summary>
    public async Task<HttpClient> ClientAsync(string? devUser = null)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        if (devUser is not null)
        {
            var response = await client.GetAsync($"/dev/login?user={devUser}&returnUrl=/");
            Assert.Equal(System.Net.HttpStatusCode.Redirect, response.StatusCode);
        }

        return client;
    }

    public HttpClient AgentClient(string key = AgentKey)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        return client;
    }
}
