using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Rose.E2E.Tests.Infrastructure;

/// <summary>
/// The real, built Rose Console binary running as a child process on a free 127.0.0.1 port. Its
/// stdout/stderr are captured so a failing test can show what the server said. Disposing kills the
/// process (by its own id, with its children).
/// </summary>
public sealed class RoseConsoleProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly ConcurrentQueue<string> output = new();

    private RoseConsoleProcess(Process process, Uri baseUrl)
    {
        this.process = process;
        BaseUrl = baseUrl;
        process.OutputDataReceived += (_, e) => Capture(e.Data);
        process.ErrorDataReceived += (_, e) => Capture(e.Data);
    }

    /// <summary>Root URL of the console, e.g. http://127.0.0.1:41234/ (with the trailing slash).</summary>
    public Uri BaseUrl { get; }

    public int ProcessId => process.Id;

    /// <summary>The console's output so far (last 400 lines), for failure messages.</summary>
    public string Output => string.Join('\n', output.TakeLast(400));

    /// <summary>
    /// Starts the console with the given environment variables (Rose__... settings) on top of
    /// ASPNETCORE_ENVIRONMENT=Development and ASPNETCORE_URLS, and waits until /readyz answers 200.
    /// </summary>
    public static async Task<RoseConsoleProcess> StartAsync(IReadOnlyDictionary<string, string> environment, TimeSpan? timeout = null,
        CancellationToken ct = default)
    {
        var port = FreePort();
        var baseUrl = new Uri($"http://127.0.0.1:{port}/");
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
        var console = new RoseConsoleProcess(process, baseUrl);
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

    private async Task WaitReadyAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (process.HasExited)
            {
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
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
                // A slow first answer; try again.
            }

            await Task.Delay(250, ct);
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

    /// <summary>
    /// src/Rose.Console/bin/&lt;Configuration&gt;/ (any framework folder) Rose.Console of this repository, built
    /// with the same configuration as the tests (the test project references the console, so it is built first).
    /// </summary>
    public static string ConsoleBinary() => Rose.Tests.Shared.BuiltProgram.Find("Rose.Console", "Rose.Console");

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Rose.Console.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("Rose.Console.sln not found above " + AppContext.BaseDirectory);
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
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException)
        {
            // Already gone.
        }

        process.Dispose();
    }
}
