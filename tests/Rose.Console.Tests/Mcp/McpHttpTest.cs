using ModelContextProtocol.Client;
using Rose.Tests.Shared;

namespace Rose.Console.Tests.Mcp;

/// <summary>
/// The base of the MCP test classes: the console of <see cref="McpHttpFixture"/> on a real port (its
/// agents, the row holding an injection text), a fresh one for each test, and an SDK client over /mcp.
/// </summary>
public abstract class McpHttpTest(PostgresServerFixture pg) : IAsyncLifetime
{
    protected McpHttpFixture Fixture { get; private set; } = null!;

    public async Task InitializeAsync() => Fixture = await McpHttpFixture.StartAsync(pg);

    public async Task DisposeAsync() => await Fixture.DisposeAsync();

    /// <summary>The C# SDK client over streamable HTTP, signed in with an agent's key.</summary>
    protected Task<McpClient> ConnectAsync(string key) =>
        McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = Fixture.McpUrl,
            TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer " + key },
        }));
}
