using System.Net.Sockets;

namespace Notifier.Smtp.Protocol;

/// <summary>Opens the byte stream to the server; tests replace it to script a server.</summary>
internal delegate ValueTask<Stream> SmtpStreamFactory(string host, int port, CancellationToken cancellationToken);

internal static class SmtpSocketConnector
{
    /// <summary>A TCP connection with Nagle off: each message goes out in a few large writes, and small
    /// command batches must not wait for the server's delayed ACK (the 40 ms stall System.Net.Mail suffers).</summary>
    public static async ValueTask<Stream> ConnectAsync(string host, int port, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(host, port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
