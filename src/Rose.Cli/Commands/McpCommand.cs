using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Rose.Cli.Commands;

/// <summary>`rose mcp --url URL --api-key KEY [--tool-prefix janus_]`: a stdio MCP server over the HTTP API.</summary>
public static class McpCommand
{
    public static Command Create(CliIo io)
    {
        var server = new ServerOptions("The agent's API key (or set ROSE_API_KEY).");
        var prefix = new Option<string>("--tool-prefix") { Description = "Prefix for tool names, e.g. janus_", DefaultValueFactory = _ => string.Empty };
        var command = new Command("mcp", "Serve the Rose tools to an MCP client over stdio.");
        server.AddTo(command);
        command.Options.Add(prefix);
        command.SetAction(parse =>
        {
            var (baseUrl, key) = server.Read(parse);
            var toolPrefix = parse.GetValue(prefix) ?? string.Empty;
            if (toolPrefix.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '_' or '-')))
            {
                throw new CliException("--tool-prefix may hold letters, digits, '_' and '-' only", ExitCodes.Usage);
            }

            return RunAsync(baseUrl, key, toolPrefix, io).GetAwaiter().GetResult();
        });
        return command;
    }

    private static async Task<int> RunAsync(Uri baseUrl, string key, string prefix, CliIo io)
    {
        using var api = new RoseApiClient(baseUrl, key, "mcp");
        var builder = Host.CreateApplicationBuilder();
        // stdout carries the protocol: every log line goes to stderr.
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("ModelContextProtocol", LogLevel.Information);
        builder.Services.AddMcpServer(o => o.ServerInfo = new() { Name = "rose", Version = typeof(McpCommand).Assembly.GetName().Version?.ToString() ?? "1.0" })
            .WithStdioServerTransport()
            .WithTools(RoseMcpTools.Create(api, prefix));
        using var host = builder.Build();
        _ = io;
        await host.RunAsync();
        return ExitCodes.Ok;
    }
}
