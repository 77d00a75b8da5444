using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using ModelContextProtocol.Server;
using Rose.Console.Auth;
using Rose.Mcp;

namespace Rose.Console.Mcp;

/// <summary>
/// /mcp: Rose's MCP tools over the streamable HTTP transport, for agents holding an API key
/// (Authorization: Bearer). Each session gets the tools its agent may use, named with its prefix.
/// </summary>
public static class RoseMcpExtensions
{
    public const string Path = "/mcp";

    public static IServiceCollection AddRoseMcp(this IServiceCollection services)
    {
        services.AddSingleton<McpToolAudit>();
        services.AddSingleton<InProcessApiBackend>();
        services.AddMcpServer(o => o.ServerInfo = new() { Name = "rose", Version = typeof(RoseMcpExtensions).Assembly.GetName().Version?.ToString() ?? "1.0" })
            .WithHttpTransport(o =>
            {
                // Sessions: the SDK binds each session to the agent that opened it.
                o.Stateless = false;
                o.ConfigureSessionOptions = (http, options, _) =>
                {
                    var agentId = http.User.FindFirstValue(ClaimTypes.NameIdentifier);
                    if (!CurrentIdentity.IsAgent(http.User) || agentId is null)
                    {
                        throw new UnauthorizedAccessException("Only agents use /mcp.");
                    }

                    var settings = McpAgentSettings.Read(http.RequestServices.GetRequiredService<IConfiguration>(), agentId);
                    var backend = http.RequestServices.GetRequiredService<InProcessApiBackend>();
                    var tools = new McpServerPrimitiveCollection<McpServerTool>();
                    foreach (var tool in RoseToolCatalog.Create(backend, settings.Prefix, settings.AllowedTools))
                    {
                        tools.Add(tool);
                    }

                    options.ToolCollection = tools;
                    return Task.CompletedTask;
                };
            });
        return services;
    }

    /// <summary>Maps /mcp for API-key agents only: no key or a bad key is a 401 before any MCP message is read.</summary>
    public static WebApplication MapRoseMcp(this WebApplication app)
    {
        var agentsOnly = new AuthorizationPolicyBuilder(ApiKeyAuthenticationHandler.SchemeName).RequireRole(RoseRoles.Agent).Build();
        app.MapMcp(Path)
            .RequireAuthorization(agentsOnly)
            .RequireRateLimiting(RoseAuthExtensions.RateLimitPolicy)
            .DisableAntiforgery()
            .ExcludeFromDescription();
        return app;
    }
}
