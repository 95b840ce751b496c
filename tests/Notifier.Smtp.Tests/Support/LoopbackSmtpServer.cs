using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Notifier.Smtp.Protocol;

namespace Notifier.Smtp.Tests.Support;

/// <summary>
/// A scripted SMTP server on a real loopback socket (ephemeral port), for what a transcript stream cannot
/// do: TLS handshakes with real certificates. Each accepted connection runs the handler.
/// </summary>
internal sealed class LoopbackSmtpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<Session, Task> _handler;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly ConcurrentBag<Task> _sessions = [];

    public LoopbackSmtpServer(Func<Session, Task> handler)
    {
        _handler = handler;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Every line any session received, in order of arrival.</summary>
    public ConcurrentQueue<string> Received { get; } = new();

    public ConcurrentQueue<Exception> Errors { get; } = new();

    /// <summary>One entry per message <see cref="Session.ServeAsync"/> accepted.</summary>
    public ConcurrentQueue<string?> Messages { get; } = new();

    public int Connections;

    /// <summary>Connects to this server whatever host name the options carry, so certificates can name any host.</summary>
    public SmtpStreamFactory Connect => async (_, _, cancellationToken) =>
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(IPAddress.Loopback, Port, cancellationToken);
        return client.GetStream();
    };

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        await Task.WhenAll(_sessions.Select(s => s.ContinueWith(_ => { }, TaskScheduler.Default)));
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            Interlocked.Increment(ref Connections);
            _sessions.Add(Task.Run(async () =>
            {
                using (client)
                {
                    var session = new Session(this, client.GetStream(), _stop.Token);
                    try
                    {
                        await _handler(session);
                    }
                    catch (Exception e) when (e is IOException or OperationCanceledException or AuthenticationException or SocketException)
                    {
                        Errors.Enqueue(e);
                    }
                    finally
                    {
                        await session.Stream.DisposeAsync();
                    }
                }
            }));
        }
    }

    internal sealed class Session(LoopbackSmtpServer server, Stream stream, CancellationToken cancellationToken)
    {
        private readonly List<byte> _line = [];
        private readonly byte[] _one = new byte[1];

        public Stream Stream { get; private set; } = stream;

        public SslProtocols? TlsProtocol { get; private set; }

        public async Task SendAsync(params string[] lines)
        {
            var bytes = Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => l + "\r\n")));
            await Stream.WriteAsync(bytes, cancellationToken);
            await Stream.FlushAsync(cancellationToken);
        }

        /// <summary>Reads one line (without CRLF); null when the client closed.</summary>
        public async Task<string?> ReadLineAsync()
        {
            _line.Clear();
            while (true)
            {
                var n = await Stream.ReadAsync(_one, cancellationToken);
                if (n == 0)
                {
                    return null;
                }

                if (_one[0] == (byte)'\n')
                {
                    var line = Encoding.UTF8.GetString([.. _line]).TrimEnd('\r');
                    server.Received.Enqueue(line);
                    return line;
                }

                _line.Add(_one[0]);
            }
        }

        public async Task<string> ExpectAsync(string prefix)
        {
            var line = await ReadLineAsync();
            if (line is null || !line.StartsWith(prefix, StringComparison.Ordinal))
            {
                throw new IOException($"expected \"{prefix}...\", got \"{line}\"");
            }

            return line;
        }

        public async Task StartTlsAsync(X509Certificate2 certificate)
        {
            var ssl = new SslStream(Stream, leaveInnerStreamOpen: false);
            await ssl.AuthenticateAsServerAsync(
                new SslServerAuthenticationOptions { ServerCertificate = certificate, EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13 },
                cancellationToken);
            TlsProtocol = ssl.SslProtocol;
            Stream = ssl;
        }

        /// <summary>Answers a mail transaction: MAIL, RCPTs, DATA, content; returns the content.</summary>
        public async Task<string> AcceptMessageAsync()
        {
            await ExpectAsync("MAIL FROM:");
            await SendAsync("250 2.1.0 ok");
            var line = await ReadLineAsync();
            while (line is not null && line.StartsWith("RCPT TO:", StringComparison.Ordinal))
            {
                await SendAsync("250 2.1.5 ok");
                line = await ReadLineAsync();
            }

            if (line != "DATA")
            {
                throw new IOException("expected DATA, got " + line);
            }

            await SendAsync("354 go ahead");
            var content = new StringBuilder();
            while ((line = await ReadLineAsync()) is not null and not ".")
            {
                content.Append(line).Append("\r\n");
            }

            await SendAsync("250 2.0.0 queued");
            return content.ToString();
        }

        /// <summary>A permissive server: greeting, EHLO with PIPELINING, then any number of transactions until QUIT.</summary>
        public async Task ServeAsync(TimeSpan delayPerMessage = default)
        {
            await SendAsync("220 loopback ESMTP");
            await ExpectAsync("EHLO ");
            await SendAsync("250-loopback", "250 PIPELINING");
            string? line;
            while ((line = await ReadLineAsync()) is not null)
            {
                if (line == "QUIT")
                {
                    await SendAsync("221 bye");
                    return;
                }

                if (line == "DATA")
                {
                    await SendAsync("354 go ahead");
                    while ((line = await ReadLineAsync()) is not null and not ".")
                    {
                    }

                    if (delayPerMessage > TimeSpan.Zero)
                    {
                        await Task.Delay(delayPerMessage, cancellationToken);
                    }

                    server.Messages.Enqueue(line);
                    await SendAsync("250 queued");
                }
                else
                {
                    await SendAsync("250 ok");
                }
            }
        }

        /// <summary>Answers QUIT if it comes.</summary>
        public async Task QuitAsync()
        {
            if (await ReadLineAsync() == "QUIT")
            {
                await SendAsync("221 bye");
            }
        }
    }
}
