using System.Net;
using System.Net.Sockets;

namespace Rose.Tests.Shared;

/// <summary>
/// A TCP proxy on 127.0.0.1 between Rose and a PostgreSQL server, for fault injection: it passes bytes
/// through until told to stall them (connections stay open, nothing moves, as in a network partition),
/// reset every connection (RST, as when a server or a middlebox dies), or refuse new connections
/// (as while a server restarts). Point a connection string at <see cref="Port"/>.
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly string upstreamHost;
    private readonly int upstreamPort;
    private readonly CancellationTokenSource stop = new();
    private readonly Lock gate = new();
    private readonly List<(TcpClient Client, TcpClient Server)> links = [];
    private volatile TaskCompletionSource flowing = Open();
    private volatile bool refusing;
    private HoldMarker? holdAt;
    private readonly Task acceptLoop;

    private FaultProxy(string upstreamHost, int upstreamPort)
    {
        this.upstreamHost = upstreamHost;
        this.upstreamPort = upstreamPort;
        listener.Start();
        acceptLoop = AcceptLoopAsync();
    }

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    /// <summary>Connections currently open through the proxy.</summary>
    public int Connections
    {
        get
        {
            lock (gate)
            {
                return links.Count;
            }
        }
    }

    /// <summary>A proxy to the server of <paramref name="connectionString"/>; <see cref="Rewrite"/> points a connection string at it.</summary>
    public static FaultProxy To(string connectionString)
    {
        var csb = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        return new FaultProxy(csb.Host!, csb.Port);
    }

    /// <summary>The same connection string, through this proxy.</summary>
    public string Rewrite(string connectionString) =>
        new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { Host = "127.0.0.1", Port = Port }.ConnectionString;

    /// <summary>Bytes stop moving both ways; connections stay open.</summary>
    public void Stall()
    {
        lock (gate)
        {
            if (flowing.Task.IsCompleted)
            {
                flowing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    /// <summary>Bytes move again (after <see cref="Stall"/>) and new connections are accepted (after <see cref="RefuseNew"/>).</summary>
    public void Resume()
    {
        refusing = false;
        flowing.TrySetResult();
    }

    /// <summary>
    /// Stalls (as <see cref="Stall"/>) the moment the client sends bytes holding <paramref name="marker"/>
    /// (e.g. "COMMIT"), once, on a connection that sent <paramref name="after"/> before it (so another
    /// connection's COMMIT, a background job's, does not trip it). With <paramref name="deliver"/> the server
    /// still gets those bytes and only its answer is held (the COMMIT lands, the client never hears);
    /// without, they are held too (it never lands).
    /// </summary>
    public void StallWhenClientSends(string marker, string after, bool deliver) =>
        Volatile.Write(ref holdAt, new HoldMarker(System.Text.Encoding.ASCII.GetBytes(marker), System.Text.Encoding.ASCII.GetBytes(after), deliver));

    /// <summary>New connections are closed as soon as they arrive (existing ones go on).</summary>
    public void RefuseNew() => refusing = true;

    /// <summary>Every open connection is reset (RST to both sides), mid-statement or not.</summary>
    public void ResetAll()
    {
        List<(TcpClient Client, TcpClient Server)> all;
        lock (gate)
        {
            all = [.. links];
            links.Clear();
        }

        foreach (var (client, server) in all)
        {
            Reset(client);
            Reset(server);
        }
    }

    /// <summary>The server restarting: every connection reset, and new ones refused until <see cref="Resume"/>.</summary>
    public void GoDown()
    {
        RefuseNew();
        ResetAll();
    }

    private static TaskCompletionSource Open()
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        tcs.SetResult();
        return tcs;
    }

    private static void Reset(TcpClient socket)
    {
        if (socket.Client is null)
        {
            // Closed already (its pump ended): a disposed TcpClient has no socket to set linger on.
            return;
        }

        try
        {
            // Linger 0: close sends RST instead of FIN, as a crashed peer's kernel would.
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or NullReferenceException)
        {
            // Already gone (closed by its pump between the check and here).
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            if (refusing)
            {
                Reset(client);
                continue;
            }

            _ = LinkAsync(client);
        }
    }

    private async Task LinkAsync(TcpClient client)
    {
        var server = new TcpClient();
        try
        {
            await server.ConnectAsync(upstreamHost, upstreamPort, stop.Token);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            Reset(client);
            server.Dispose();
            return;
        }

        var link = (client, server);
        lock (gate)
        {
            links.Add(link);
        }

        await Task.WhenAny(PumpAsync(client, server, fromClient: true), PumpAsync(server, client, fromClient: false));
        lock (gate)
        {
            links.Remove(link);
        }

        client.Dispose();
        server.Dispose();
    }

    private async Task PumpAsync(TcpClient from, TcpClient to, bool fromClient)
    {
        var buffer = new byte[16 * 1024];
        // The hold armed when this connection sent its "after" bytes; only this connection may then trip it.
        HoldMarker? primed = null;
        try
        {
            var input = from.GetStream();
            var output = to.GetStream();
            while (true)
            {
                var n = await input.ReadAsync(buffer, stop.Token);
                if (n == 0)
                {
                    return;
                }

                if (fromClient && Volatile.Read(ref holdAt) is { } armed && !ReferenceEquals(armed, primed) && buffer.AsSpan(0, n).IndexOf(armed.After) >= 0)
                {
                    primed = armed;
                }
                else if (primed is { } hold && buffer.AsSpan(0, n).IndexOf(hold.Marker) >= 0 && Interlocked.CompareExchange(ref holdAt, null, hold) == hold)
                {
                    // Stall first, so the server's answer to these bytes cannot slip through before it.
                    Stall();
                    if (hold.Deliver)
                    {
                        await output.WriteAsync(buffer.AsMemory(0, n), stop.Token);
                        continue;
                    }
                }

                // A stall holds the bytes already read until Resume: neither side hears anything.
                await flowing.Task.WaitAsync(stop.Token);
                await output.WriteAsync(buffer.AsMemory(0, n), stop.Token);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            // Reset, closed, or the proxy is stopping.
        }
    }

    private sealed record HoldMarker(byte[] Marker, byte[] After, bool Deliver);

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        ResetAll();
        flowing.TrySetResult();
        try
        {
            await acceptLoop;
        }
        catch (OperationCanceledException)
        {
        }

        stop.Dispose();
    }
}
