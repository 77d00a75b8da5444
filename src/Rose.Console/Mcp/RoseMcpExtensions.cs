using Microsoft.AspNetCore.Authorization;
using ModelContextProtocol.Server;
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
        services.AddSingleton<McpAgentSettingsReader>();
        services.AddMcpServer(o => o.ServerInfo = new() { Name = "rose", Version = typeof(RoseMcpExtensions).Assembly.GetName().Version?.ToString() ?? "1.0" })
            .WithHttpTransport(o =>
            {
                // Sessions: the SDK binds each session to the agent that opened it.
                o.Stateless = false;
                o.ConfigureSessionOptions = async (http, options, ct) =>
                {
                    // An agent gets its prefix and allow-list (each call checks the list again); a person (OAuth) every tool
                    // without a prefix, each route still authorized by their role and each statement by their role's policy.
                    var settings = CurrentIdentity.IsAgent(http.User)
                        ? await http.RequestServices.GetRequiredService<McpAgentSettingsReader>().ForAgentAsync(http.User, ct)
                        : CurrentIdentity.HumanRole(http.User) is not null
                            ? McpAgentSettings.Person
                            : throw new UnauthorizedAccessException("Only agents and people with a Rose role use /mcp.");
                    var backend = http.RequestServices.GetRequiredService<InProcessApiBackend>();
                    var tools = new McpServerPrimitiveCollection<McpServerTool>();
                    foreach (var tool in RoseToolCatalog.Create(backend, settings.Prefix, settings.AllowedTools))
                    {
                        tools.Add(tool);
                    }

                    options.ToolCollection = tools;
                };
            });
        return services;
    }

    /// <summary>
    /// Maps /mcp for agent keys and, with OAuth configured (<see cref="McpOAuth"/>), people's access
    /// tokens: no credential or a bad one is a 401 before any MCP message is read. Browser cookies do
    /// not count here, so a page cannot drive /mcp with a signed-in person's session.
    /// </summary>
    public static WebApplication MapRoseMcp(this WebApplication app)
    {
        var oidc = app.Configuration.GetSection(RoseAuthOptions.SectionName).Get<RoseAuthOptions>()?.Oidc ?? new OidcOptions();
        var oauth = McpOAuth.IsEnabled(oidc);
        // The OAuth scheme first: its challenge only adds the resource_metadata pointer; the key scheme writes the 401.
        string[] schemes = oauth ? [McpOAuth.SchemeName, ApiKeyAuthenticationHandler.SchemeName] : [ApiKeyAuthenticationHandler.SchemeName];
        var callers = new AuthorizationPolicyBuilder(schemes).RequireRole(oauth ? [RoseRoles.Agent, RoseRoles.Viewer] : [RoseRoles.Agent]).Build();
        if (oauth)
        {
            app.MapMcpOAuthMetadata(oidc);
        }

        app.MapMcp(Path)
            .RequireAuthorization(callers)
            .RequireRateLimiting(RoseAuthExtensions.RateLimitPolicy)
            .DisableAntiforgery()
            .ExcludeFromDescription();
        return app;
    }
}
