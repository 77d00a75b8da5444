using System.Net.Http.Headers;
using System.Text;

namespace Rose.Cli.Mcp;

/// <summary>
/// The HTTP API as the MCP tools and `rose migrate` see it. Every call carries the agent's key. The
/// audit channel is the server's decision (the MCP tools post SQL to /api/v1/mcp/sql/execute); the
/// X-Rose-Client header only names the client program, for logs.
/// </summary>
public sealed class RoseApiClient : IDisposable
{
    private readonly HttpClient http;

    public RoseApiClient(Uri baseUrl, string apiKey, string channel, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        http = handler is null ? new HttpClient() : new HttpClient(handler);
        http.BaseAddress = baseUrl;
        http.Timeout = TimeSpan.FromMinutes(10);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        http.DefaultRequestHeaders.Add("X-Rose-Client", channel);
    }

    public Task<ApiAnswer> PostAsync(string path, object body, CancellationToken ct) =>
        SendAsync(() => http.PostAsync(path, Json(body), ct), ct);

    /// <summary>
    /// The body serialized up front, sent with its length: PostAsJsonAsync streams it chunked, which costs
    /// both ends framing on every call of `rose mcp`'s relay (the bodies are small).
    /// </summary>
    private static ByteArrayContent Json(object body)
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, body.GetType(), JsonSerializerOptions.Web));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return content;
    }

    public Task<ApiAnswer> GetAsync(string path, CancellationToken ct) =>
        SendAsync(() => http.GetAsync(path, ct), ct);

    private static async Task<ApiAnswer> SendAsync(Func<Task<HttpResponseMessage>> send, CancellationToken ct)
    {
        try
        {
            using var response = await send();
            var text = await response.Content.ReadAsStringAsync(ct);
            return new ApiAnswer((int)response.StatusCode, text);
        }
        catch (HttpRequestException ex)
        {
            return new ApiAnswer(0, JsonSerializer.Serialize(new { status = "unreachable", error = $"Rose is not reachable: {ex.Message}" }));
        }
    }

    /// <summary>Builds a query string from the non-empty values.</summary>
    public static string Query(params (string Name, object? Value)[] values)
    {
        var sb = new StringBuilder();
        foreach (var (name, value) in values)
        {
            var text = value switch
            {
                null => null,
                string s when s.Length == 0 => null,
                IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
                _ => value.ToString(),
            };
            if (text is null)
            {
                continue;
            }

            sb.Append(sb.Length == 0 ? '?' : '&').Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(text));
        }

        return sb.ToString();
    }

    public void Dispose() => http.Dispose();
}

/// <summary>An HTTP status and the JSON body Rose answered with.</summary>
public sealed record ApiAnswer(int Status, string Body)
{
    public bool IsSuccess => Status is >= 200 and < 300;
}
