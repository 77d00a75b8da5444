using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Rose.Mcp;

namespace Rose.Cli.Mcp;

/// <summary>
/// `rose mcp`'s tools: the shared catalog (names, descriptions, annotations, untrusted-data
/// boundary) with each call sent to the console's HTTP API under the agent's key.
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
            var answer = method == HttpMethod.Get
                ? await api.GetAsync(pathAndQuery, ct)
                : await api.PostAsync(pathAndQuery, body ?? new { }, ct);
            return new RoseToolAnswer(answer.Status, answer.Body);
        }
    }
}
