using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Rose.Mcp;

namespace Rose.Cli.Mcp;

/// <summary>
/// `rose mcp`'s tools: the shared catalog (names, descriptions, annotations, untrusted-data
/// boundary) with each call relayed to the console under the agent's key (POST
/// /api/v1/mcp/tools/{tool}), which runs it as its own /mcp does: the agent's allow-list, the
/// route's authorization and one audit row on channel mcp.
/// </summary>
public static class RoseMcpTools
{
    public static IReadOnlyList<McpServerTool> Create(RoseApiClient api, string prefix)
    {
        ArgumentNullException.ThrowIfNull(api);
        return RoseToolCatalog.Create(new HttpBackend(api), prefix);
    }

    private sealed class HttpBackend(RoseApiClient api) : IRoseToolBackend
    {
        public async Task<RoseToolAnswer> SendAsync(string tool, HttpMethod method, string pathAndQuery, object? body,
            RequestContext<CallToolRequestParams> request, CancellationToken ct)
        {
            ArgumentNullException.ThrowIfNull(method);
            var answer = await api.PostAsync("/api/v1/mcp/tools/" + Uri.EscapeDataString(tool),
                new { method = method.Method, path = pathAndQuery, body = method == HttpMethod.Get ? null : body ?? new { } }, ct);
            return new RoseToolAnswer(answer.Status, answer.Body);
        }
    }
}
