using ModelContextProtocol.Client;

namespace Rose.Console.Tests.Mcp;

/// <summary>
/// The base of the MCP test classes: the console of <see cref="McpHttpFixture"/> on a real port (its
/// agents, the row holding an injection text), one for all the tests of a class (<see cref="SharedMcpHttp"/>),
/// and an SDK client over /mcp. A test reads back only the audit rows written since it began (see
/// <see cref="ToolRowsAsync"/>), which on a fresh host were all the rows there were, so its assertions
/// are what they were with a host of its own. Tests run one after another within a class.
/// </summary>
public abstract class McpHttpTest(PostgresServerFixture pg, SharedMcpHttp shared) : IAsyncLifetime, IClassFixture<SharedMcpHttp>
{
    private long since;

    protected McpHttpFixture Fixture { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Fixture = await shared.GetAsync(() => McpHttpFixture.StartAsync(pg));
        since = await Fixture.LastAuditIdAsync();
    }

    /// <summary>The host belongs to the class fixture, which stops it after the class's last test.</summary>
    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>The C# SDK client over streamable HTTP, signed in with an agent's key.</summary>
    protected Task<McpClient> ConnectAsync(string key) =>
        McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = Fixture.McpUrl,
            TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer " + key },
        }));

    /// <summary>This test's MCP tool-call audit rows by one executor, oldest first.</summary>
    protected Task<List<(string Operation, string Channel, string Status, string Database)>> ToolRowsAsync(string executorId) =>
        Fixture.ToolRowsAsync(executorId, since);

    /// <summary>This test's audit rows with the reason, and the control-database transactions that committed them.</summary>
    protected Task<(long Rows, long Transactions)> CommitsAsync(string reason) => Fixture.CommitsAsync(reason, since);

    /// <summary>The channels of this test's audit rows with the reason.</summary>
    protected Task<List<string>> AuditChannelsAsync(string reason) => Fixture.AuditChannelsAsync(reason, since);
}

/// <summary>One <see cref="McpHttpFixture"/> for all the tests of a class.</summary>
public sealed class SharedMcpHttp : SharedFixture<McpHttpFixture>;
