using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Notifier.Smtp.Messages;
using Notifier.Smtp.Options;
using Notifier.Smtp.Protocol;
using Notifier.Smtp.Tests.Support;
using static Notifier.Smtp.Tests.Support.SmtpTesting;

namespace Notifier.Smtp.Tests;

public sealed class SmtpTransportTests
{
    [Fact]
    public async Task ConsecutiveMessagesReuseOneConnection()
    {
        var server = new TranscriptStream().Greet("PIPELINING");
        Transaction(server);
        Transaction(server);
        server.Expect("QUIT").Reply("221 bye");
        var streams = new Streams(server);
        var transport = Transport(streams);

        await transport.SendRawAsync(From, [Jane], Message(), CancellationToken.None);
        await transport.SendRawAsync(From, [Jane], Message(), CancellationToken.None);
        await transport.DisposeAsync();

        server.AssertCompleted();
        Assert.Equal(1, streams.Opened);
        Assert.Equal(2, server.Messages.Count);
        Assert.True(server.Disposed);
    }

    [Fact]
    public async Task EmailMessageIsWrittenAsMimeAndDotStuffed()
    {
        var server = new TranscriptStream().Greet("PIPELINING");
        server.Expect("MAIL FROM:<noreply@example.com>").Reply("250 ok")
            .Expect("RCPT TO:<jane@example.com>").Reply("250 ok")
            .Expect("RCPT TO:<joe@example.com>").Reply("550 5.1.1 unknown")
            .Expect("DATA").Reply("354 go ahead")
            .ExpectContent().Reply("250 2.0.0 queued");
        await using var transport = Transport(new Streams(server));
        var message = new EmailMessage
        {
            From = new Mailbox("noreply@example.com", "Code Review"),
            To = [Jane, Joe],
            Subject = "Pull request #42",
            TextBody = "first line\n.starts with a dot\nlast",
        };

        var result = await transport.SendAsync(message);

        server.AssertCompleted();
        Assert.Equal([Jane], result.Accepted);
        Assert.Equal("550 5.1.1 unknown", Assert.Single(result.Refused).Reply);
        var received = server.Messages.Single();
        Assert.Contains("Subject: Pull request #42\r\n", received, StringComparison.Ordinal);
        Assert.Contains("\r\n..starts with a dot\r\n", received, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResetPrecedesTheNextMessageAfterAFailedTransaction()
    {
        var server = new TranscriptStream().Greet("8BITMIME")
            .Expect("MAIL FROM:<noreply@example.com>").Reply("451 4.3.0 try again")
            .Expect("RSET").Reply("250 ok");
        Transaction(server);
        var streams = new Streams(server);
        await using var transport = Transport(streams);

        await Assert.ThrowsAsync<SmtpCommandException>(() => transport.SendRawAsync(From, [Jane], Message(), CancellationToken.None));
        await transport.SendRawAsync(From, [Jane], Message(), CancellationToken.None);

        server.AssertCompleted();
        Assert.Equal(1, streams.Opened);
    }

    [Fact]
    public async Task RefusedPipelinedResetDropsTheConnectionAndTheMessageGoesOnANewOne()
    {
        var first = new TranscriptStream().Greet("PIPELINING")
            .Expect("MAIL FROM:<noreply@example.com>").Reply("451 4.3.0 try again")
            .Expect("RCPT TO:<jane@example.com>").Reply("503 need MAIL")
            .Expect("DATA").Reply("503 need RCPT")
            .Expect("RSET").Reply("502 5.5.1 RSET not implemented")
            .Expect("MAIL FROM:<noreply@example.com>").Reply("503 out of step")
            .Expect("RCPT TO:<jane@example.com>").Reply("503 out of step")
            .Expect("DATA").Reply("503 out of step");
        var second = new TranscriptStream().Greet("PIPELINING");
        Transaction(second);
        var streams = new Streams(first, second);
        await using var transport = Transport(streams);
        await Assert.ThrowsAsync<SmtpCommandException>(() => transport.SendRawAsync(From, [Jane], Message(), CancellationToken.None));

        await transport.SendRawAsync(From, [Jane], Message(), CancellationToken.None);

        Assert.Null(first.Mismatch);
        second.AssertCompleted();
        Assert.True(first.Disposed);
        Assert.Equal(2, streams.Opened);
    }

    [Fact]
    public async Task PooledConnectionThatGets421IsReplacedAndTheMessageSent()
    {
        var first = new TranscriptStream(oneByteAtATime: true).Greet("PIPELINING");
        Transaction(first);
        first.Expect("MAIL FROM:<noreply@example.com>").Reply("421 4.4.2 idle too long, closing")
            .Expect("RCPT TO:<jane@example.com>").Hangup();
        var second = new TranscriptStream().Greet("PIPELINING");
        Transaction(second);
        var streams = new Streams(first, second);
        await using var transport = Transport(streams);

        await transport.SendRawAsync(From, [Jane], Message(), CancellationToken.None);
        var result = await transport.SendRawAsync(From, [Jane], Message(), CancellationToken.None);

        second.AssertCompleted();
        Assert.Equal(2, streams.Opened);
        Assert.Equal("250 2.0.0 queued", result.ServerReply);
        Assert.True(first.Disposed);
    }

    [Fact]
    public async Task PooledConnectionTheServerClosedIsReplacedAndTheMessageSent()
    {
        var first = new TranscriptStream().Greet("PIPELINING");
        Transaction(first);
        first.Hangup();
        var second = new TranscriptStream().Greet("PIPELINING");
        Transaction(second);
        var streams = new Streams(first, second);
        await using var transport = Transport(streams);

        await transport.SendRawAsync(From, [Jane], Message(), CancellationToken.None);
        await transport.SendRawAsync(From, [Jane], Message(), CancellationToken.None);

        second.AssertCompleted();
        Assert.Equal(2, streams.Opened);
        Assert.Single(second.Messages);
    }

    [Fact]
    public async Task FailureOnAFreshConnectionIsNotRetried()
    {
        var server = new TranscriptStream().Greet("PIPELINING")
            .Expect("MAIL FROM:<noreply@example.com>").Reply("421 4.3.2 shutting down").Hangup();
        var streams = new Streams(server, new TranscriptStream().Greet());
        await using var transport = Transport(streams);

        var error = await Assert.ThrowsAsync<SmtpCommandException>(() => transport.SendRawAsync(From, [Jane], Message(), CancellationToken.None));

        Assert.Equal(SmtpReplyCode.ServiceNotAvailable, error.Code);
        Assert.Equal(1, streams.Opened);
    }

    [Fact]
    public async Task ConnectionIsNotRetriedOnceTheContentWasSent()
    {
        var first = new TranscriptStream().Greet("PIPELINING");
        Transaction(first);
        first.Expect("MAIL FROM:<noreply@example.com>").Reply("250 ok")
            .Expect("RCPT TO:<jane@example.com>").Reply("250 ok")
            .Expect("DATA").Reply("354 go")
            .ExpectContent().Hangup();
        var streams = new Streams(first, new TranscriptStream().Greet("PIPELINING"));
        await using var transport = Transport(streams);
        await transport.SendRawAsync(From, [Jane], Message(), CancellationToken.None);

        await Assert.ThrowsAsync<SmtpProtocolException>(() => transport.SendRawAsync(From, [Jane], Message(), CancellationToken.None));

        Assert.Equal(1, streams.Opened);
    }

    [Fact]
    public async Task IdleConnectionIsClosedWithQuitAndANewOneOpened()
    {
        var first = new TranscriptStream().Greet("PIPELINING");
        Transaction(first);
        first.Expect("QUIT").Reply("221 bye");
        var second = new TranscriptStream().Greet("PIPELINING");
        Transaction(second);
        var streams = new Streams(first, second);
        var clock = new ManualTimeProvider();
        await using var transport = Transport(streams, clock);

        await transport.SendRawAsync(From, [Jane], Message(), CancellationToken.None);
        clock.Advance(transport.IdleTimeout + TimeSpan.FromSeconds(1));
        await transport.SendRawAsync(From, [Jane], Message(), CancellationToken.None);

        first.AssertCompleted();
        Assert.True(first.Disposed);
        Assert.Equal(2, streams.Opened);
    }

    [Fact]
    public async Task BackgroundSweepClosesIdleConnectionsWithQuit()
    {
        var server = new TranscriptStream().Greet("PIPELINING");
        Transaction(server);
        server.Expect("QUIT").Reply("221 bye");
        var clock = new ManualTimeProvider();
        await using var transport = Transport(new Streams(server), clock);
        await transport.SendRawAsync(From, [Jane], Message(), CancellationToken.None);

        transport.SweepIdle();
        Assert.Equal(1, transport.IdleConnections);
        clock.Advance(transport.IdleTimeout);
        transport.SweepIdle();

        Assert.Equal(0, transport.IdleConnections);
        await WaitUntil(() => server.Disposed);
        server.AssertCompleted();
    }

    [Fact]
    public async Task NoMoreThanMaxConnectionsAreOpenAtOnce()
    {
        await using var server = new LoopbackSmtpServer(s => s.ServeAsync(TimeSpan.FromMilliseconds(20)));
        var options = TestOptions(o => o.MaxConnections = 2);
        var transport = new SmtpTransport(options, NullLogger.Instance, null, null, server.Connect);

        await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => transport.SendRawAsync(From, [Jane], Message(), CancellationToken.None)));
        await transport.DisposeAsync();

        Assert.Equal(12, server.Messages.Count);
        Assert.Equal(2, server.Connections);
        await Task.Delay(100);
        Assert.Equal(2, server.Received.Count(l => l == "QUIT"));
    }

    [Fact]
    public async Task RefusedCredentialsAreRefreshedOnceAndRetriedOnANewConnection()
    {
        var first = new TranscriptStream().Greet("AUTH PLAIN")
            .ExpectPrefix("AUTH PLAIN ").Reply("535 5.7.8 authentication failed")
            .Expect("QUIT").Reply("221 bye");
        var second = new TranscriptStream().Greet("AUTH PLAIN", "PIPELINING")
            .Expect("AUTH PLAIN " + Convert.ToBase64String("\0user\0rotated"u8.ToArray())).Reply("235 ok");
        Transaction(second);
        var streams = new Streams(first, second);
        var provider = new RotatingCredentials(new("user", "old"), new("user", "rotated"));
        await using var transport = new SmtpTransport(TestOptions(o => o.AllowPlaintextAuth = true), NullLogger.Instance, null, provider, streams.Open);

        await transport.SendRawAsync(From, [Jane], Message(), CancellationToken.None);

        first.AssertCompleted();
        second.AssertCompleted();
        Assert.Equal([false, true], provider.Calls);
    }

    [Fact]
    public async Task SecondCredentialRefusalIsReported()
    {
        var first = new TranscriptStream().Greet("AUTH PLAIN").ExpectPrefix("AUTH PLAIN ").Reply("535 5.7.8 no").Expect("QUIT").Reply("221 bye");
        var second = new TranscriptStream().Greet("AUTH PLAIN").ExpectPrefix("AUTH PLAIN ").Reply("535 5.7.8 no").Expect("QUIT").Reply("221 bye");
        var streams = new Streams(first, second, new TranscriptStream());
        var provider = new RotatingCredentials(new("user", "old"), new("user", "still-wrong"));
        await using var transport = new SmtpTransport(TestOptions(o => o.AllowPlaintextAuth = true), NullLogger.Instance, null, provider, streams.Open);

        var error = await Assert.ThrowsAsync<SmtpAuthenticationException>(() => transport.SendRawAsync(From, [Jane], Message(), CancellationToken.None));

        Assert.Equal("authentication failed (535 5.7.8): check the username and password", error.Message);
        Assert.Equal([false, true], provider.Calls);
        Assert.Equal(2, streams.Opened);
    }

    [Fact]
    public async Task UnreadableCredentialsAreAnSmtpFailureNamingTheVaultSettings()
    {
        var streams = new Streams(new TranscriptStream());
        await using var transport = new SmtpTransport(TestOptions(), NullLogger.Instance, null, new FailingCredentials(), streams.Open);

        var error = await Assert.ThrowsAsync<SmtpException>(() => transport.SendRawAsync(From, [Jane], Message(), CancellationToken.None));

        Assert.Equal("the SMTP credentials could not be read (InvalidOperationException: vault unreachable): nothing was sent", error.Message);
        Assert.Contains("KeyVault__Uri", error.Hint, StringComparison.Ordinal);
        Assert.Equal(0, streams.Opened);
    }

    [Fact]
    public async Task WaitingForAFreeConnectionCanBeCancelled()
    {
        var server = new TranscriptStream().Greet("PIPELINING").Expect("MAIL FROM:<noreply@example.com>").Stall();
        await using var transport = Transport(new Streams(server), options: TestOptions(o => o.MaxConnections = 1));
        using var stopFirst = new CancellationTokenSource();
        var first = transport.SendRawAsync(From, [Jane], Message(), stopFirst.Token);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => transport.SendRawAsync(From, [Jane], Message(), cancel.Token));

        await stopFirst.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
    }

    [Fact]
    public async Task ConnectTimeoutFires()
    {
        var options = TestOptions(o => o.ConnectTimeout = TimeSpan.FromMilliseconds(100));
        await using var transport = new SmtpTransport(options, NullLogger.Instance, null, null,
            async (_, _, ct) =>
            {
                await Task.Delay(Timeout.Infinite, ct);
                return Stream.Null;
            });

        var error = await Assert.ThrowsAsync<SmtpProtocolException>(() => transport.SendRawAsync(From, [Jane], Message(), CancellationToken.None));

        Assert.Equal("could not connect to mail.example.com:25 within 100 ms", error.Message);
        Assert.Contains("Mail__ConnectTimeout", error.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RefusedConnectionNamesHostAndPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await using var transport = new SmtpTransport(TestOptions(o =>
        {
            o.Host = "127.0.0.1";
            o.Port = port;
        }), NullLogger<SmtpTransport>.Instance);

        var error = await Assert.ThrowsAsync<SmtpProtocolException>(() => transport.SendRawAsync(From, [Jane], Message(), CancellationToken.None));

        Assert.Equal($"127.0.0.1:{port} refused the connection: no mail server listens there", error.Message);
        Assert.Contains("Mail__Port", error.Hint, StringComparison.Ordinal);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++)
        {
            await Task.Delay(10);
        }

        Assert.True(condition());
    }

    private static void Transaction(TranscriptStream server)
    {
        server.Expect("MAIL FROM:<noreply@example.com>").Reply("250 2.1.0 ok")
            .Expect("RCPT TO:<jane@example.com>").Reply("250 2.1.5 ok")
            .Expect("DATA").Reply("354 go ahead")
            .ExpectContent().Reply("250 2.0.0 queued");
    }

    private static SmtpTransport Transport(Streams streams, TimeProvider? time = null, MailOptions? options = null) =>
        new(options ?? TestOptions(), NullLogger.Instance, time, null, streams.Open);

    /// <summary>Hands out one scripted server per new connection.</summary>
    private sealed class Streams(params TranscriptStream[] servers)
    {
        private readonly ConcurrentQueue<TranscriptStream> _servers = new(servers);
        private int _opened;

        public int Opened => _opened;

        /// <summary>The connection factory: ignores the host and port, the next scripted server answers.</summary>
        public SmtpStreamFactory Open => (_, _, _) =>
        {
            Interlocked.Increment(ref _opened);
            return _servers.TryDequeue(out var server)
                ? ValueTask.FromResult<Stream>(server)
                : throw new InvalidOperationException("the test scripted no more connections");
        };
    }

    private sealed class FailingCredentials : ISmtpCredentialProvider
    {
        public ValueTask<SmtpCredentials?> GetCredentialsAsync(bool refresh, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("vault unreachable");
    }

    private sealed class RotatingCredentials(SmtpCredentials cached, SmtpCredentials fresh) : ISmtpCredentialProvider
    {
        public List<bool> Calls { get; } = [];

        public ValueTask<SmtpCredentials?> GetCredentialsAsync(bool refresh, CancellationToken cancellationToken)
        {
            Calls.Add(refresh);
            return ValueTask.FromResult<SmtpCredentials?>(refresh ? fresh : cached);
        }
    }
}
