using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using Notifier.Smtp.Messages;
using Notifier.Smtp.Options;
using Notifier.Smtp.Tests.Servers;
using static Notifier.Smtp.Tests.Integration.IntegrationSupport;

namespace Notifier.Smtp.Tests.Integration;

/// <summary>
/// The connection pool against a real server: reuse, replacement after a server-side close or a 421, no
/// resend once content left, no reuse after an unexpected failure, idle close with QUIT, the prepared
/// connection (TLS and AUTH included), the connection limit, credential refresh, timeouts and cancellation. The server's records say how many sessions there were and how each ended.
/// </summary>
[Trait("Category", "Integration")]
public sealed class SmtpPoolTests(ServerCertificates certificates) : IClassFixture<ServerCertificates>
{
    [Fact]
    public async Task APooledConnectionTheServerClosedIsReplacedAndTheMessageSent()
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions { Faults = ["close-after-message"] });
        await using var transport = Transport(Settings(server, tls: MailTls.None));

        await transport.SendAsync(Message("first"));
        await Eventually.TrueAsync(() => server.Sessions is [{ Ended: "closed after message" }, ..], "the server closed the first session");
        await transport.SendAsync(Message("second"));

        Assert.Equal(["first", "second"], server.Messages.Select(m => Subject(m)));
        Assert.Equal(2, server.Sessions.Count);
    }

    [Fact]
    public async Task APooledConnectionThatAnswers421IsReplacedAndTheMessageSent()
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions { Faults = ["mail-421-on-reuse"] });
        await using var transport = Transport(Settings(server, tls: MailTls.None));

        await transport.SendAsync(Message("first"));
        await transport.SendAsync(Message("second"));

        Assert.Equal(["first", "second"], server.Messages.Select(m => Subject(m)));
        Assert.Equal("closed with 421", server.Sessions[0].Ended);
        Assert.Equal(2, server.Sessions.Count);
    }

    [Fact]
    public async Task AMessageWhoseContentHadStartedIsNotSentAgain()
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions { Faults = ["close-during-data-on-reuse"] });
        await using var transport = Transport(Settings(server, tls: MailTls.None));

        await transport.SendAsync(Message("first"));
        var error = await Assert.ThrowsAsync<SmtpProtocolException>(() => transport.SendAsync(Message("second")));

        AssertTold(error, "closed the connection unexpectedly during DATA");
        Assert.Single(server.Sessions);
        Assert.Equal(["first"], server.Messages.Select(m => Subject(m)));
    }

    [Fact]
    public async Task AFailureOnAFreshConnectionIsNotRetried()
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions { Faults = ["data-451"] });
        await using var transport = Transport(Settings(server, tls: MailTls.None));

        var error = await Assert.ThrowsAsync<SmtpCommandException>(() => transport.SendAsync(Message()));

        Assert.True(error.IsTransient);
        Assert.Single(server.Sessions);
        Assert.Single(server.Messages);
    }

    [Fact]
    public async Task ARefusedTransactionLeavesTheConnectionUsableForTheNextMessage()
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions { Faults = ["refuse-rcpt=bob@example.com"] });
        await using var transport = Transport(Settings(server, tls: MailTls.None));

        await Assert.ThrowsAsync<SmtpCommandException>(() => transport.SendAsync(Message("refused", Bob)));
        await transport.SendAsync(Message("accepted", Alice));

        var session = Assert.Single(server.Sessions);
        Assert.Contains("RSET", session.Commands);
        Assert.Equal(["accepted"], server.Messages.Select(m => Subject(m)));
    }

    [Fact]
    public async Task AnIdleConnectionIsClosedWithQuitAndANewOneOpened()
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions());
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var transport = new SmtpTransport(Settings(server, tls: MailTls.None), NullLogger<SmtpTransport>.Instance, clock);

        await transport.SendAsync(Message("first"));
        clock.Advance(TimeSpan.FromSeconds(31));
        await transport.SendAsync(Message("second"));

        Assert.Equal(2, server.Sessions.Count);
        Assert.Equal("QUIT", server.Sessions[0].Ended);
    }

    [Fact]
    public async Task AConnectionIdleForLessThan30SecondsIsReused()
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions());
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var transport = new SmtpTransport(Settings(server, tls: MailTls.None), NullLogger<SmtpTransport>.Instance, clock);

        await transport.SendAsync(Message("first"));
        clock.Advance(TimeSpan.FromSeconds(29));
        await transport.SendAsync(Message("second"));

        var session = Assert.Single(server.Sessions);
        Assert.Null(session.Ended);
        Assert.Equal(["first", "second"], server.Messages.Select(m => Subject(m)));
    }

    [Fact]
    public async Task ASendThatFailsUnexpectedlyLetsTheExceptionThroughAndItsConnectionIsNeverPooled()
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions());
        await using var transport = Transport(Settings(server, tls: MailTls.None));
        await transport.SendAsync(Message("first"));
        Assert.Equal(1, transport.IdleConnections);

        // An attachment whose stream breaks halfway (here while MailKit measures the message for SIZE, before MAIL
        // FROM): neither the server nor the network failed, the conversation itself is intact, and still the
        // session's state is not ours to vouch for.
        using var broken = new MimeMessage(
            [new MailboxAddress("", "noreply@example.com")],
            [new MailboxAddress("", Alice.Address)],
            "broken",
            new MimePart("application", "octet-stream") { Content = new MimeContent(new BreakingStream(4096)), ContentTransferEncoding = ContentEncoding.Base64 });
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            transport.SendMimeAsync(broken, new Mailbox("noreply@example.com"), [Alice], CancellationToken.None));

        Assert.Equal(BreakingStream.Failure, error.Message);
        Assert.Equal(0, transport.IdleConnections);
        await transport.SendAsync(Message("third"));
        Assert.Equal(2, server.Sessions.Count);
        Assert.Equal(["first", "third"], server.Messages.Select(m => Subject(m)));
    }

    [Fact]
    public async Task AMessageWithoutRecipientsIsAnArgumentExceptionNotAnSmtpFailure()
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions());
        await using var transport = Transport(Settings(server, tls: MailTls.None));

        var nobody = new EmailMessage { From = new Mailbox("noreply@example.com"), To = [Alice], EnvelopeRecipients = [], Subject = "nobody", TextBody = "Hello" };

        await Assert.ThrowsAsync<ArgumentException>(() => transport.SendAsync(nobody));

        Assert.Empty(server.Messages);
        Assert.False(server.MailFromEverSent);
    }

    [Fact]
    public async Task APreparedConnectionWaitsInThePoolAndCarriesTheFirstMessage()
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions());
        await using var transport = Transport(Settings(server, tls: MailTls.None));

        await transport.PrepareAsync();
        await transport.PrepareAsync();

        Assert.Equal(1, transport.IdleConnections);
        Assert.Single(server.Sessions);
        Assert.Empty(server.Messages);
        await transport.SendAsync(Message("first"));
        Assert.Equal(["first"], server.Messages.Select(m => Subject(m)));
        Assert.Single(server.Sessions);
    }

    [Fact]
    public async Task APreparedConnectionIsAlreadyEncryptedAndAuthenticatedWhenTheFirstMessageUsesIt()
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions { Tls = ServerTls.StartTls, Certificate = certificates.Localhost, Auth = Credentials });
        var provider = new CountingCredentials(new SmtpCredentials(User, Password));
        await using var transport = new SmtpTransport(
            Settings(server, tls: MailTls.Always, trusted: certificates.AuthorityPath), NullLogger<SmtpTransport>.Instance, credentials: provider);

        await transport.PrepareAsync();

        var prepared = Assert.Single(server.Sessions);
        Assert.True(prepared.Tls);
        Assert.Equal(User, prepared.AuthenticatedAs);
        Assert.Contains("STARTTLS", prepared.Commands);
        Assert.Equal(1, provider.Requests);
        Assert.Empty(server.Messages);

        await transport.SendAsync(Message("first"));

        var session = Assert.Single(server.Sessions);
        Assert.Single(session.Commands, c => c == "STARTTLS");
        Assert.Single(session.Commands, c => c.StartsWith("AUTH", StringComparison.Ordinal));
        var message = Assert.Single(server.Messages);
        Assert.True(message.Tls);
        Assert.Equal(User, message.AuthenticatedAs);
        Assert.Equal(1, provider.Requests);
    }

    [Fact]
    public async Task APreparedConnectionHasAlreadyUsedTheOAuth2TokenWhenTheFirstMessageUsesIt()
    {
        const string mailbox = "notifier@contoso.com";
        const string token = "eyJ0eXAiOiJKV1QiLCJub25jZSI6InByZXBhcmVkIn0.payload.signature";
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions
        {
            Tls = ServerTls.StartTls,
            Certificate = certificates.Localhost,
            XOAuth2Mailbox = mailbox,
            XOAuth2Tokens = [token],
        });
        var provider = new CountingCredentials(SmtpCredentials.ForOAuth2(mailbox, token));
        await using var transport = new SmtpTransport(
            Settings(server, tls: MailTls.Always, trusted: certificates.AuthorityPath), NullLogger<SmtpTransport>.Instance, credentials: provider);

        await transport.PrepareAsync();
        Assert.Equal(1, provider.Requests);
        Assert.Equal("accepted", Assert.Single(server.Sessions).XOAuth2);

        await transport.SendAsync(Message("first"));

        Assert.Equal(1, provider.Requests);
        Assert.Single(server.Sessions);
        Assert.Equal(mailbox, Assert.Single(server.Messages).AuthenticatedAs);
    }

    [Fact]
    public async Task TheSweepClosesIdleConnectionsWithQuit()
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions());
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var transport = new SmtpTransport(Settings(server, tls: MailTls.None), NullLogger<SmtpTransport>.Instance, clock);

        await transport.SendAsync(Message());
        Assert.Equal(1, transport.IdleConnections);
        clock.Advance(TimeSpan.FromSeconds(30));
        transport.SweepIdle();

        Assert.Equal(0, transport.IdleConnections);
        await Eventually.TrueAsync(() => server.Sessions is [{ Ended: "QUIT" }], "the idle session ended with QUIT");
    }

    [Fact]
    public async Task DisposingTheTransportEndsEveryConnectionWithQuit()
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions());
        var transport = Transport(Settings(server, tls: MailTls.None));
        await Task.WhenAll(Enumerable.Range(0, 4).Select(i => transport.SendAsync(Message($"m{i}"))));

        await transport.DisposeAsync();

        Assert.NotEmpty(server.Sessions);
        Assert.All(server.Sessions, s => Assert.Equal("QUIT", s.Ended));
    }

    [Fact]
    public async Task TheConnectionReturnedLastIsTheOneUsedNext()
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions());
        await using var transport = Transport(Limited(Settings(server, tls: MailTls.None), 2));
        await Task.WhenAll(transport.SendAsync(Message("a")), transport.SendAsync(Message("b")));
        Assert.Equal(2, server.Sessions.Count);
        Assert.Equal(2, transport.IdleConnections);

        // Last in, first out: each message takes the connection the previous one put back, never the other.
        await transport.SendAsync(Message("c"));
        await transport.SendAsync(Message("d"));
        await transport.SendAsync(Message("e"));

        var sessions = server.Messages.Where(m => Subject(m) is "c" or "d" or "e").Select(m => m.Session).ToList();
        Assert.Equal(3, sessions.Count);
        Assert.Single(sessions.Distinct());
    }

    [Fact]
    public async Task NoMoreThanMaxConnectionsAreOpened()
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions());
        await using var transport = Transport(Limited(Settings(server, tls: MailTls.None), 2));

        await Task.WhenAll(Enumerable.Range(0, 12).Select(i => transport.SendAsync(Message($"m{i}"))));

        Assert.Equal(12, server.Messages.Count);
        Assert.InRange(server.Sessions.Count, 1, 2);
    }

    [Fact]
    public async Task RefusedCredentialsAreRefreshedOnceAndSentOnANewConnection()
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions { Auth = Credentials, AllowPlaintextAuth = true });
        var provider = new RotatingCredentials(new SmtpCredentials(User, "old-password"), new SmtpCredentials(User, Password));
        await using var transport = new SmtpTransport(Settings(server, tls: MailTls.None, allowPlaintextAuth: true), NullLogger<SmtpTransport>.Instance, credentials: provider);

        await transport.SendAsync(Message());

        Assert.Equal([false, true], provider.Requests);
        Assert.Equal(2, server.Sessions.Count);
        Assert.Equal(User, Assert.Single(server.Messages).AuthenticatedAs);
    }

    [Fact]
    public async Task ASecondRefusalIsReported()
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions { Auth = Credentials, AllowPlaintextAuth = true });
        var provider = new RotatingCredentials(new SmtpCredentials(User, "old-password"), new SmtpCredentials(User, "still-wrong"));
        await using var transport = new SmtpTransport(Settings(server, tls: MailTls.None, allowPlaintextAuth: true), NullLogger<SmtpTransport>.Instance, credentials: provider);

        var error = await Assert.ThrowsAsync<SmtpAuthenticationException>(() => transport.SendAsync(Message()));

        Assert.Equal(SmtpReplyCode.AuthenticationInvalidCredentials, error.Code);
        Assert.Equal([false, true], provider.Requests);
        Assert.DoesNotContain("still-wrong", Told(error), StringComparison.Ordinal);
        Assert.Empty(server.Messages);
    }

    [Fact]
    public async Task UnreadableCredentialsAreAFailureNamingTheVaultSettings()
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions());
        await using var transport = new SmtpTransport(Settings(server, tls: MailTls.None), NullLogger<SmtpTransport>.Instance, credentials: new FailingCredentials());

        var error = await Assert.ThrowsAsync<SmtpException>(() => transport.SendAsync(Message()));

        AssertTold(error, "could not be read", "KeyVault__Uri");
        Assert.Empty(server.Sessions);
    }

    [Fact]
    public async Task WaitingForAFreeConnectionCanBeCancelled()
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions { Faults = ["silent-after-ehlo"] });
        await using var transport = Transport(Limited(Settings(server, tls: MailTls.None, commandTimeout: TimeSpan.FromSeconds(5)), 1));
        var holding = transport.SendAsync(Message("holds the only connection"));
        // Well before the held connection's command timeout (5 s) gives the only connection back.
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(1));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => transport.SendAsync(Message("waits"), cancel.Token));

        await Assert.ThrowsAsync<SmtpProtocolException>(() => holding);
    }

    [Fact]
    public async Task CancellationStopsACommandInFlightAndTheConnectionIsDropped()
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions { Faults = ["silent-after-ehlo"] });
        await using var transport = Transport(Settings(server, tls: MailTls.None, commandTimeout: TimeSpan.FromSeconds(30)));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        var clock = System.Diagnostics.Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => transport.SendAsync(Message(), cancel.Token));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.Equal(0, transport.IdleConnections);
    }

    [Fact]
    public async Task TheConnectTimeoutFires()
    {
        // A listener whose backlog is full: the kernel drops further SYNs, so the connect never completes.
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(0);
        var port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        var fillers = new List<Socket>();
        try
        {
            // Connect until one connect hangs: from then on the queue is full and every SYN is dropped.
            var full = false;
            for (var i = 0; i < 16 && !full; i++)
            {
                var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                fillers.Add(filler);
                var connect = filler.ConnectAsync(IPAddress.Loopback, port);
                full = await Task.WhenAny(connect, Task.Delay(TimeSpan.FromSeconds(2))) != connect;
            }

            Assert.True(full, "the listener's accept queue never filled");
            var options = new MailOptions { Host = "127.0.0.1", Port = port, Tls = MailTls.None, From = "noreply@example.com", ConnectTimeout = TimeSpan.FromSeconds(1) };
            await using var transport = Transport(options);

            var error = await Assert.ThrowsAsync<SmtpProtocolException>(() => transport.SendAsync(Message()));

            AssertTold(error, $"could not connect to 127.0.0.1:{port} within 1 s", "Mail__ConnectTimeout");
        }
        finally
        {
            fillers.ForEach(f => f.Dispose());
        }
    }

    [Fact]
    public async Task ARefusedConnectionNamesTheHostAndPort()
    {
        using var refusing = new RefusingPort();
        var port = refusing.Port;
        await using var transport = Transport(new MailOptions { Host = "127.0.0.1", Port = port, Tls = MailTls.None, From = "noreply@example.com" });

        var error = await Assert.ThrowsAsync<SmtpProtocolException>(() => transport.SendAsync(Message()));

        AssertTold(error, $"127.0.0.1:{port} refused the connection", "Mail__Port");
    }

    private static MailOptions Limited(MailOptions options, int connections)
    {
        options.MaxConnections = connections;
        return options;
    }

    private static string Subject(ReceivedMessage message)
    {
        var text = System.Text.Encoding.UTF8.GetString(message.Bytes);
        var start = text.IndexOf("\r\nSubject: ", StringComparison.Ordinal) + 11;
        return text[start..text.IndexOf("\r\n", start, StringComparison.Ordinal)];
    }

    private sealed class RotatingCredentials(SmtpCredentials first, SmtpCredentials refreshed) : ISmtpCredentialProvider
    {
        public List<bool> Requests { get; } = [];

        public ValueTask<SmtpCredentials?> GetCredentialsAsync(bool refresh, CancellationToken cancellationToken)
        {
            Requests.Add(refresh);
            return ValueTask.FromResult<SmtpCredentials?>(refresh ? refreshed : first);
        }
    }

    private sealed class CountingCredentials(SmtpCredentials credentials) : ISmtpCredentialProvider
    {
        public int Requests { get; private set; }

        public ValueTask<SmtpCredentials?> GetCredentialsAsync(bool refresh, CancellationToken cancellationToken)
        {
            Requests++;
            return ValueTask.FromResult<SmtpCredentials?>(credentials);
        }
    }

    /// <summary>A stream of <paramref name="length"/> bytes whose reading fails halfway, as no SMTP or network failure would.</summary>
    private sealed class BreakingStream(int length) : Stream
    {
        public const string Failure = "the attachment's source went away";

        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position
        {
            get => _position;
            set => Seek(value, SeekOrigin.Begin);
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_position >= length / 2)
            {
                throw new InvalidOperationException(Failure);
            }

            var n = (int)Math.Min(count, length - _position);
            buffer.AsSpan(offset, n).Fill((byte)'x');
            _position += n;
            return n;
        }

        public override long Seek(long offset, SeekOrigin origin)
        {
            _position = origin switch { SeekOrigin.Begin => offset, SeekOrigin.Current => _position + offset, _ => length + offset };
            return _position;
        }

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private sealed class FailingCredentials : ISmtpCredentialProvider
    {
        public ValueTask<SmtpCredentials?> GetCredentialsAsync(bool refresh, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("the vault https://vault.example.net/ answered 403 Forbidden");
    }
}
