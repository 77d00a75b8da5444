namespace Rose.Cli.Commands;

/// <summary>
/// The options of every command that talks to a running console (--url, and --api-key or
/// ROSE_API_KEY), and the one place they are checked, so each command fails the same way on a
/// missing key or a URL that is not http(s).
/// </summary>
internal sealed class ServerOptions
{
    public const string ApiKeyVariable = "ROSE_API_KEY";

    private readonly Option<string> url = new("--url") { Description = "Rose Console base URL, e.g. http://127.0.0.1:5080", Required = true };
    private readonly Option<string?> apiKey;

    /// <param name="keyDescription">The --api-key help line: whose key the command expects.</param>
    public ServerOptions(string keyDescription = "An API key (or set ROSE_API_KEY).")
    {
        apiKey = new("--api-key") { Description = keyDescription };
    }

    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Options.Add(url);
        command.Options.Add(apiKey);
    }

    /// <summary>The checked base URL and key; a usage error names what is missing or wrong.</summary>
    public (Uri BaseUrl, string Key) Read(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var key = parse.GetValue(apiKey) ?? Environment.GetEnvironmentVariable(ApiKeyVariable);
        if (string.IsNullOrWhiteSpace(key))
        {
            throw new CliException($"an API key is required: --api-key KEY or {ApiKeyVariable}", ExitCodes.Usage);
        }

        if (!Uri.TryCreate(parse.GetValue(url), UriKind.Absolute, out var baseUrl) || baseUrl.Scheme is not ("http" or "https"))
        {
            throw new CliException("--url must be an absolute http(s) URL", ExitCodes.Usage);
        }

        return (baseUrl, key);
    }

    /// <summary>A client for the console named by the options, on <paramref name="channel"/> (the audit log's channel).</summary>
    public RoseApiClient Connect(ParseResult parse, string channel, HttpMessageHandler? handler = null)
    {
        var (baseUrl, key) = Read(parse);
        return new RoseApiClient(baseUrl, key, channel, handler);
    }
}
