using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Notifier.Smtp.Client;
using Notifier.Smtp.Tests.Support;

namespace Notifier.Smtp.Tests.Client;

/// <summary>
/// What MailKit writes is held until it reads the server's reply, then sent in one piece; over real loopback
/// TCP connections.
/// </summary>
public sealed class ReplyBoundStreamTests : IAsyncLifetime, IDisposable
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(300);

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private Socket _server = null!;
    private ReplyBoundStream _client = null!;

    public async Task InitializeAsync()
    {
        _listener.Start();
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var accept = _listener.AcceptSocketAsync();
        await socket.ConnectAsync((IPEndPoint)_listener.LocalEndpoint);
        _server = await accept;
        _client = new ReplyBoundStream(new NetworkStream(socket, ownsSocket: true));
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        _client.Dispose();
        _server.Dispose();
        _listener.Dispose();
    }

    [Fact]
    public async Task WritesAndFlushesSendNothingUntilTheClientReads()
    {
        await _client.WriteAsync("MAIL FROM:<a@example.com>\r\n"u8.ToArray());
        await _client.FlushAsync();

        Assert.False(_server.Poll(Quiet, SelectMode.SelectRead), "bytes arrived before the client waited for a reply");

        var reply = new byte[64];
        var reading = _client.ReadAsync(reply);
        Assert.Equal("MAIL FROM:<a@example.com>\r\n", await ReceiveAsync("MAIL FROM:<a@example.com>\r\n".Length));
        await _server.SendAsync("250 2.1.0 Ok\r\n"u8.ToArray());
        Assert.Equal("250 2.1.0 Ok\r\n", Encoding.ASCII.GetString(reply, 0, await reading));
    }

    [Fact]
    public async Task ABodyInBlocksAndItsFinalDotGoOutInOrderBeforeTheReply()
    {
        var block = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd\r\n", 64)));
        var expected = new StringBuilder();
        for (var i = 0; i < 3; i++)
        {
            await _client.WriteAsync(block);
            expected.Append(Encoding.ASCII.GetString(block));
        }

        await _client.FlushAsync();
        await _client.WriteAsync(".\r\n"u8.ToArray());
        expected.Append(".\r\n");
        Assert.False(_server.Poll(Quiet, SelectMode.SelectRead));

        var reading = _client.ReadAsync(new byte[64]).AsTask();
        Assert.Equal(expected.ToString(), await ReceiveAsync(expected.Length));
        await _server.SendAsync("250 2.0.0 queued\r\n"u8.ToArray());
        Assert.Equal("250 2.0.0 queued\r\n".Length, await reading);
    }

    [Fact]
    public async Task WhatNoLongerFitsIsSentWithoutWaitingForARead()
    {
        var held = new byte[ReplyBoundStream.Capacity - 5];
        Array.Fill(held, (byte)'x');
        await _client.WriteAsync(held);
        Assert.False(_server.Poll(Quiet, SelectMode.SelectRead));

        await _client.WriteAsync(new byte[10]);

        Assert.Equal(new string('x', held.Length), await ReceiveAsync(held.Length));
        Assert.False(_server.Poll(Quiet, SelectMode.SelectRead), "the last 10 bytes fit and wait for the read");
    }

    [Fact]
    public async Task AWriteLargerThanItHoldsGoesStraightOut()
    {
        var large = new byte[ReplyBoundStream.Capacity + 1];
        Array.Fill(large, (byte)'y');
        await _client.WriteAsync(large);

        Assert.Equal(new string('y', large.Length), await ReceiveAsync(large.Length));
    }

    [Fact]
    public async Task SynchronousWritesAreSentBySynchronousReads()
    {
        _client.Write("EHLO client.example.com\r\n"u8);
        _client.Flush();
        Assert.False(_server.Poll(Quiet, SelectMode.SelectRead));

        _server.Send("250 ok\r\n"u8.ToArray());
        var reply = new byte[16];
        var read = _client.Read(reply, 0, reply.Length);

        Assert.Equal("250 ok\r\n", Encoding.ASCII.GetString(reply, 0, read));
        Assert.Equal("EHLO client.example.com\r\n", await ReceiveAsync("EHLO client.example.com\r\n".Length));
    }

    [Fact]
    public async Task TlsHandshakeAndDataWorkThroughIt()
    {
        using var certificate = TestCertificates.SelfSigned("localhost");
        await using var serverTls = new SslStream(new NetworkStream(_server, ownsSocket: false));
        await using var clientTls = new SslStream(_client, leaveInnerStreamOpen: true, (_, presented, _, _) => presented?.GetCertHashString() == certificate.Thumbprint);

        // The client's last handshake flight waits, like any write, for the client's next read: the server
        // finishes its handshake once the client sends its first command and waits for the reply.
        var serverHandshake = serverTls.AuthenticateAsServerAsync(certificate);
        await clientTls.AuthenticateAsClientAsync("localhost");
        await clientTls.WriteAsync("DATA\r\n"u8.ToArray());
        await clientTls.FlushAsync();
        var reading = clientTls.ReadAsync(new byte[64]).AsTask();
        await serverHandshake;
        var command = new byte[6];
        await serverTls.ReadExactlyAsync(command);
        await serverTls.WriteAsync("354 go ahead\r\n"u8.ToArray());

        Assert.Equal("DATA\r\n", Encoding.ASCII.GetString(command));
        Assert.Equal("354 go ahead\r\n".Length, await reading);
    }

    private async Task<string> ReceiveAsync(int length)
    {
        var buffer = new byte[length];
        var received = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (received < length)
        {
            var n = await _server.ReceiveAsync(buffer.AsMemory(received), timeout.Token);
            Assert.True(n > 0, "the connection closed early");
            received += n;
        }

        return Encoding.ASCII.GetString(buffer);
    }
}
