using System.Net;
using System.Net.Sockets;

namespace Notifier.Smtp.Tests.Servers;

/// <summary>
/// A loopback port that refuses every connection (a server that is down): bound, never listening, and held until
/// disposed, so no other process can start listening on it while the test counts on the refusal.
/// </summary>
internal sealed class RefusingPort : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

    public RefusingPort()
    {
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        Port = _socket.LocalEndPoint is IPEndPoint bound ? bound.Port : throw new InvalidOperationException("the socket did not bind");
    }

    public int Port { get; }

    public void Dispose() => _socket.Dispose();
}
