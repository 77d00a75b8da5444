using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;
using MudBlazor.Services;
using Rose.Console.Api;
using Rose.Console.Components;
using Rose.Console.Hosting.KeyRing;
using Rose.Core;
using Rose.Core.Configuration;
using Rose.Core.Control;

namespace Rose.Console.Hosting;

/// <summary>Host wiring kept out of Program.cs so tests and the real host build the same app.</summary>
public static class RoseConsoleHostExtensions
{
    public static async Task AddRoseConsoleAsync(this WebApplicationBuilder builder)
    {
        AddDevelopmentSettings(builder);

        var options = builder.Configuration.GetSection(RoseOptions.SectionName).Get<RoseOptions>() ?? new RoseOptions();
        using var bootstrapLoggers = LoggerFactory.Create(b => b.AddConsole().SetMinimumLevel(LogLevel.Information));
        // The control database must be ready before anything serves a request: /readyz, the API
        // and every page depend on it, and start-up errors should stop the process with a clear message.
        var runtime = await RoseBootstrap.StartAsync(options, bootstrapLoggers, CancellationToken.None, builder.Environment.IsDevelopment());

        builder.Services.AddRoseCore(runtime);
        builder.Services.AddRoseKeyRing(builder.Configuration, options, bootstrapLoggers.CreateLogger("Rose.KeyRing"));
        builder.Services.AddRoseAuth(builder.Configuration, builder.Environment);
        builder.Services.AddRoseApi();
        // The workbench sends the editor text over the circuit; SignalR's 32 KB default would cut long scripts.
        builder.Services.AddRazorComponents().AddInteractiveServerComponents()
            .AddHubOptions(o => o.MaximumReceiveMessageSize = 2 * 1024 * 1024);
        builder.Services.AddWorkbench();
        builder.Services.AddMudServices();
        builder.Services.AddSingleton<Rose.Console.Components.Shared.PrerenderHandoffStore>();
        builder.Services.AddScoped<Rose.Console.Components.Shared.PrerenderHandoff>();
        builder.Services.AddHttpContextAccessor();
    }

    public static WebApplication UseRoseConsole(this WebApplication app)
    {
        // Before the first request: cookies and antiforgery tokens need a key every replica shares.
        app.Services.EnsureRoseKeyRing();
        // Errors under /api are RFC 9457 problem documents in every environment.
        app.UseRoseApiErrors();
        if (!app.Environment.IsDevelopment())
        {
            app.UseHsts();
        }

        var assets = Path.Combine(AppContext.BaseDirectory, "wwwroot-assets");
        if (Directory.Exists(assets))
        {
            app.UseStaticFiles(new StaticFileOptions { FileProvider = new PhysicalFileProvider(assets), RequestPath = "/assets" });
        }

        app.UseStaticFiles();
        // Before authentication: a 401 or 429 on the SQL endpoints is recorded too.
        app.UseMiddleware<Rose.Console.Api.SqlRequestAuditMiddleware>();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.UseAntiforgery();

        app.MapRoseHealth();
        app.MapRoseAuth();
        app.MapRoseApi();
        app.MapWorkbench();
        app.MapRazorComponents<App>()
            .AddInteractiveServerRenderMode()
            .RequireAuthorization(RosePolicies.Viewer);
        return app;
    }

    /// <summary>
    /// appsettings.Development.json lives at the repository root (one file for the host, the tests
    /// and scripts/run.sh); it is copied next to the binaries. Inserted right after the other JSON
    /// files so environment variables and the command line still override it.
    /// </summary>
    private static void AddDevelopmentSettings(WebApplicationBuilder builder)
    {
        if (!builder.Environment.IsDevelopment())
        {
            return;
        }

        var path = Path.Combine(AppContext.BaseDirectory, "appsettings.Development.json");
        if (!File.Exists(path))
        {
            return;
        }

        var sources = builder.Configuration.Sources;
        var lastJson = -1;
        for (var i = 0; i < sources.Count; i++)
        {
            if (sources[i] is JsonConfigurationSource)
            {
                lastJson = i;
            }
        }

        var source = new JsonConfigurationSource
        {
            Path = "appsettings.Development.json",
            Optional = true,
            ReloadOnChange = false,
            FileProvider = new PhysicalFileProvider(AppContext.BaseDirectory),
        };
        sources.Insert(lastJson + 1, source);
    }
}
