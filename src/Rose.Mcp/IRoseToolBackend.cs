using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Rose.Mcp;

/// <summary>
/// Where a tool call goes: a Rose API route. `rose mcp` sends it over HTTP with the agent's key;
/// the console's /mcp runs the same route in process as the signed-in agent. Either way the
/// route's authorization, the policy and the audit log apply, and the channel is mcp.
/// </summary>
public interface IRoseToolBackend
{
    /// <param name="tool">The tool's catalog name without the agent's prefix, for the audit log.</param>
    Task<RoseToolAnswer> SendAsync(string tool, HttpMethod method, string pathAndQuery, object? body,
        RequestContext<CallToolRequestParams> request, CancellationToken ct);
}

/// <summary>An HTTP status and the JSON body the route answered with.</summary>
public sealed record RoseToolAnswer(int Status, string Body)
{
    public bool IsSuccess => Status is >= 200 and < 300;
}
