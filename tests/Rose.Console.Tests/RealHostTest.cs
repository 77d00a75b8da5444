namespace Rose.Console.Tests;

/// <summary>
/// The base of test classes whose clients must speak real HTTP to the console (the `rose` CLI, `rose mcp`,
/// MCP clients as child processes): a <see cref="RealHost"/> on a loopback port per test, built from the
/// settings and fresh databases of <see cref="HostTest"/> (whose in-memory host is then never started).
/// </summary>
public abstract class RealHostTest(PostgresServerFixture pg) : HostTest(pg)
{
    /// <summary>The console on its port (available from InitializeAsync on).</summary>
    protected RealHost Host { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Host = await RealHost.StartAsync(App.Settings);
    }

    public override async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await base.DisposeAsync();
    }
}
