using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.Configuration;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Rose.Console.Hosting;

namespace Rose.Console.Tests;

/// <summary>
/// The console on a real loopback port (Kestrel), built by the same host extensions as Program.cs,
/// for clients that must speak real HTTP: the `rose` CLI and MCP server running as child processes.
/// </summary>
public sealed class RealHost : IAsyncDisposable
{
    private readonly WebApplication app;

    private RealHost(WebApplication app, Uri url)
    {
        this.app = app;
        Url = url;
    }

    public Uri Url { get; }

    /// <summary>The running host's services, for acting as a person would (e.g. approving) in a test.</summary>
    public IServiceProvider Services => app.Services;

    /// <param name="url">Where to listen; a fixed port when the settings must name the console's own URL (OAuth's resource).</param>
    public static async Task<RealHost> StartAsync(IDictionary<string, string?> settings, string environment = "Development", string url = "http://127.0.0.1:0")
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = environment,
            ApplicationName = typeof(Program).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.WebHost.UseUrls(url);
        await builder.AddRoseConsoleAsync();
        var app = builder.Build();
        app.UseRoseConsole();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new RealHost(app, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
