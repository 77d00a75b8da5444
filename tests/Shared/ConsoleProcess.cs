using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Rose.Tests.Shared;

/// <summary>
/// The built Rose Console as a real child process on a free 127.0.0.1 port: the one host fixture of the
/// browser tests (tests/Rose.E2E.Tests) and of the tests that kill it (SIGKILL: no shutdown hook runs,
/// as in a crash) and start it again on the same settings. Settings go in as environment variables
/// (Rose__ControlConnection ...); its output is kept for failure messages. Disposing kills it (with its
/// children) by its own id.
/// </summary>
public sealed class ConsoleProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly ConcurrentQueue<string> output = new();

    private ConsoleProcess(Process process, Uri baseUrl)
    {
        this.process = process;
        BaseUrl = baseUrl;
        process.OutputDataReceived += (_, e) => Capture(e.Data);
        process.ErrorDataReceived += (_, e) => Capture(e.Data);
    }

    /// <summary>Root URL of the console, e.g. http://127.0.0.1:41234/ (with the trailing slash).</summary>
    public Uri BaseUrl { get; }

    public int ProcessId => process.Id;

    /// <summary>The last lines the console wrote, for failure messages.</summary>
    public string Output => string.Join('\n', output.TakeLast(400));

    public bool HasExited => process.HasExited;

    /// <summary>Starts the console (Development, warnings and start-up lines logged) and waits until /readyz answers 200.</summary>
    public static async Task<ConsoleProcess> StartAsync(IReadOnlyDictionary<string, string?> environment, TimeSpan? timeout = null,
        CancellationToken ct = default)
    {
        var baseUrl = new Uri($"http://127.0.0.1:{FreePort()}/");
        var binary = ConsoleBinary();
        var info = new ProcessStartInfo(binary)
        {
            WorkingDirectory = Path.GetDirectoryName(binary)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        info.Environment["ASPNETCORE_URLS"] = baseUrl.ToString().TrimEnd('/');
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        info.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {binary}.");
        var console = new ConsoleProcess(process, baseUrl);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await console.WaitReadyAsync(timeout ?? TimeSpan.FromSeconds(90), ct);
        }
        catch
        {
            await console.DisposeAsync();
            throw;
        }

        return console;
    }

    /// <summary>SIGKILL, as a crash or an OOM kill would: no outcome writes, no checkpoint at stop.</summary>
    public async Task KillAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await process.WaitForExitAsync(cts.Token);
    }

    /// <summary>src/Rose.Console/bin/&lt;Configuration&gt;/ Rose.Console of this repository, built with the tests' configuration.</summary>
    public static string ConsoleBinary() => BuiltProgram.Find("Rose.Console", "Rose.Console");

    private async Task WaitReadyAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (process.HasExited)
            {
                // HasExited can turn true before the asynchronous readers have handed over the last lines
                // (the unhandled exception that says why it stopped is among them); WaitForExitAsync also
                // waits for both redirected streams to reach their end.
                using var drained = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await process.WaitForExitAsync(drained.Token);
                throw new InvalidOperationException($"Rose Console exited with code {process.ExitCode} before it was ready:\n{Output}");
            }

            try
            {
                using var response = await http.GetAsync("readyz", ct);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException || (ex is TaskCanceledException && !ct.IsCancellationRequested))
            {
                // Not listening yet, or a slow first answer.
            }

            await Task.Delay(200, ct);
        }

        throw new TimeoutException($"Rose Console was not ready at {BaseUrl}readyz within {timeout.TotalSeconds:N0} s:\n{Output}");
    }

    private void Capture(string? line)
    {
        if (line is null)
        {
            return;
        }

        output.Enqueue(line);
        while (output.Count > 2000 && output.TryDequeue(out _))
        {
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await KillAsync();
        }
        catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException)
        {
            // Already gone.
        }

        process.Dispose();
    }
}
