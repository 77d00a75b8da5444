using System.Net;
using System.Net.Sockets;

namespace Rose.Core.Embedded;

/// <summary>The embedded server's port could not be bound because something else holds it.</summary>
public sealed class PortInUseException(int port, string detail)
    : InvalidOperationException($"Port {port} on 127.0.0.1 is already in use ({detail}). Choose another port or 0 for a free one.")
{
    public int Port { get; } = port;
}

/// <summary>Loopback port selection for the embedded server.</summary>
internal static class FreePort
{
    /// <summary>Asks the OS for a free loopback port. Another process may take it before the server binds; callers retry.</summary>
    public static int Pick()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>Fails early with a clear message instead of a server log line about bind().</summary>
    public static int EnsureAvailable(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return port;
        }
        catch (SocketException ex)
        {
            throw new PortInUseException(port, ex.Message);
        }
    }
}
