using System.Net;
using System.Net.Sockets;

namespace Notifier.Tests.Support;

/// <summary>A loopback port nobody listens on: taken from the system (port 0), then released.</summary>
internal static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
