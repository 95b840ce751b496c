using System.Diagnostics;
using Notifier.Smtp.Messages;
using Notifier.Smtp.Options;
using Xunit.Abstractions;
using Notifier.Smtp.Tests.Servers;
using static Notifier.Smtp.Tests.Integration.IntegrationSupport;

namespace Notifier.Smtp.Tests.Integration;

/// <summary>
/// The failures an admin meets, each staged by a real server process: what the server received (usually: no
/// MAIL FROM at all) and what the admin is told (what happened and which setting to change).
/// </summary>
[Trait("Category", "Integration")]
public sealed class SmtpFaultTests(ServerCertificates certificates, ITestOutputHelper output) : IClassFixture<ServerCertificates>
{
    [Fact]
    public async Task A421GreetingIsReportedAndNothingIsSent()
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions { Faults = ["greeting-421"] });

        var error = await SendExpectingFailureAsync<SmtpCommandException>(Settings(server));

        output.WriteLine(Told(error));

        AssertTold(
            error,
            "localhost refused the session in its greeting: 421 4.3.2",
            "the server is not accepting mail right now (busy, or refusing this client); try again later or check its logs");
        Assert.Equal(421, (int)error.Code);
        // The client took the greeting at its word: it never said EHLO, let alone MAIL FROM. The server writes
        // how each session ended in its own time, after the client has already seen the 421.
        Assert.NotEmpty(await server.WaitForSessionsAsync(s => s.Count > 0 && s.All(x => x.Ended is not null)));
        Assert.All(server.Sessions, s =>
        {
            Assert.Equal("greeting refused with 421", s.Ended);
            Assert.DoesNotContain(s.Commands, c => c.StartsWith("EHLO", StringComparison.Ordinal) || c.StartsWith("HELO", StringComparison.Ordinal));
        });
        Assert.False(server.MailFromEverSent);
        Assert.Empty(server.Messages);
    }

    [Fact]
    public async Task AlwaysTlsRefusesToSendWhenServerLacksStartTls()
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions
        {
            Tls = ServerTls.StartTls,
            Certificate = certificates.Localhost,
            Faults = ["no-starttls"],
        });

        var error = await SendExpectingFailureAsync<SmtpException>(Settings(server, tls: MailTls.Always, trusted: certificates.AuthorityPath));

        output.WriteLine(Told(error));

        AssertTold(
            error,
            "the server does not offer STARTTLS and Mail__Tls=Always: nothing was sent",
            "enable STARTTLS on the mail server, use Mail__Protocol=Smtps if it offers SMTPS, or set Mail__Tls=IfAvailable to allow unencrypted mail");
        Assert.False(server.MailFromEverSent);
        Assert.All(server.Sessions, s => Assert.DoesNotContain(s.Commands, c => c.StartsWith("MAIL", StringComparison.Ordinal) || c.StartsWith("RCPT", StringComparison.Ordinal) || c.StartsWith("DATA", StringComparison.Ordinal)));
        Assert.Empty(server.Messages);
        // The client ends the session politely rather than dropping it.
        var session = Assert.Single(await server.WaitForSessionsAsync(s => s.Count == 1 && s[0].Ended is not null));
        Assert.Equal("QUIT", session.Commands[^1]);
        Assert.Equal("QUIT", session.Ended);
    }

    [Theory]
    [InlineData(MailProtocol.Smtp, ServerTls.StartTls)]
    [InlineData(MailProtocol.Smtps, ServerTls.Smtps)]
    public async Task ASelfSignedCertificateIsRefusedUntilItIsTrustedThroughTheSetting(MailProtocol protocol, ServerTls offered)
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions { Tls = offered, Certificate = certificates.SelfSigned });

        var error = await SendExpectingFailureAsync<SmtpProtocolException>(Settings(server, protocol, MailTls.IfAvailable));

        output.WriteLine(Told(error));

        AssertTold(
            error,
            "the certificate of localhost is self-signed (SHA-256 ",
            "): add it to Mail__TrustedCertificatesPath",
            "save the server's certificate as PEM (openssl s_client -connect localhost:",
            ") and set Mail__TrustedCertificatesPath to that file");
        Assert.False(server.MailFromEverSent);

        // The admin follows the advice: the server's own certificate goes into Mail__TrustedCertificatesPath.
        await using (var transport = Transport(Settings(server, protocol, MailTls.IfAvailable, trusted: certificates.SelfSigned.CertificatePath)))
        {
            await transport.SendAsync(Message());
        }

        var received = Assert.Single(server.Messages);
        Assert.True(received.Tls);
    }

    [Fact]
    public async Task ACertificateFromAnUntrustedPrivateCaNamesTheIssuerAndTheSetting()
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions { Tls = ServerTls.StartTls, Certificate = certificates.Localhost });

        var error = await SendExpectingFailureAsync<SmtpProtocolException>(Settings(server, tls: MailTls.Always));

        output.WriteLine(Told(error));

        AssertTold(
            error,
            "is issued by 'CN=Notifier Test CA', which this machine does not trust (PartialChain): add the issuing CA certificate to Mail__TrustedCertificatesPath");
        // The certificate was refused during STARTTLS: nothing was said after it.
        var session = Assert.Single(server.Sessions);
        Assert.StartsWith("EHLO", session.Commands[0], StringComparison.Ordinal);
        Assert.Contains("STARTTLS", session.Commands);
        Assert.Equal("STARTTLS", session.Commands[^1]);
        Assert.False(server.MailFromEverSent);
    }

    [Fact]
    public async Task AHostNameMismatchIsNeverForgivenEvenWithATrustedCa()
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions { Tls = ServerTls.StartTls, Certificate = certificates.OtherHost });

        var error = await SendExpectingFailureAsync<SmtpProtocolException>(Settings(server, tls: MailTls.IfAvailable, trusted: certificates.AuthorityPath));

        output.WriteLine(Told(error));

        AssertTold(
            error,
            $"the certificate of localhost does not name localhost: it is for {ServerCertificates.OtherHostName} (SHA-256 ",
            "set Mail__Host to a name the certificate covers, or have the server's certificate reissued for localhost");
        // Once STARTTLS was tried, a TLS failure never falls back to plaintext.
        Assert.False(server.MailFromEverSent);
        Assert.All(server.Sessions, s => Assert.DoesNotContain(s.Commands, c => c.StartsWith("MAIL", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task RefusedCredentialsAreReportedWithoutTheSecret()
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions
        {
            Tls = ServerTls.StartTls,
            Certificate = certificates.Localhost,
            Auth = Credentials,
            Faults = ["auth-fail"],
        });

        var error = await SendExpectingFailureAsync<SmtpAuthenticationException>(Settings(server, tls: MailTls.Always, authenticate: true, trusted: certificates.AuthorityPath));

        output.WriteLine(Told(error));

        AssertTold(
            error,
            "authentication failed (535 5.7.8): check the username and password (the server said: 535 5.7.8",
            "check Mail__Username and Mail__Password (or the Key Vault secrets they come from)");
        Assert.DoesNotContain(Password, error.ToString(), StringComparison.Ordinal);
        // A 535 makes the transport read the credentials again and try once more on a new connection: AUTH twice, no more.
        Assert.Equal(2, server.Sessions.SelectMany(s => s.Commands).Count(c => c.StartsWith("AUTH", StringComparison.Ordinal)));
        Assert.Equal(2, server.Sessions.Count(s => s.Commands.Contains("AUTH PLAIN") || s.Commands.Contains("AUTH LOGIN")));
        Assert.False(server.MailFromEverSent);
    }

    [Fact]
    public async Task AuthIsNotAttemptedOverPlaintextWithoutAllowPlaintextAuth()
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions { Auth = Credentials, AllowPlaintextAuth = true });

        var error = await SendExpectingFailureAsync<SmtpException>(Settings(server, tls: MailTls.IfAvailable, authenticate: true));

        output.WriteLine(Told(error));

        AssertTold(
            error,
            "refusing to send the SMTP password to localhost over an unencrypted connection: nothing was sent",
            "the server did not offer STARTTLS (or Mail__Tls=None): enable STARTTLS on the server and set Mail__Tls=Always, use Mail__Protocol=Smtps, or set Mail__AllowPlaintextAuth=true on a trusted network");
        Assert.DoesNotContain(Password, error.ToString(), StringComparison.Ordinal);
        Assert.All(server.Sessions, s => Assert.DoesNotContain(s.Commands, c => c.StartsWith("AUTH", StringComparison.Ordinal)));
        Assert.False(server.MailFromEverSent);
    }

    [Fact]
    public async Task OneRefusedRecipientIsReportedWhileTheOtherGetsTheMessage()
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions { Faults = [$"refuse-rcpt={Bob.Address}"] });

        SendResult result;
        await using (var transport = Transport(Settings(server)))
        {
            result = await transport.SendAsync(Message(to: [Alice, Bob]));
        }

        Assert.Equal([Alice], result.Accepted);
        var refusal = Assert.Single(result.Refused);
        Assert.Equal(Bob, refusal.Recipient);
        Assert.Equal(550, refusal.Code);
        Assert.Equal("5.1.1", refusal.EnhancedStatus);
        Assert.Contains("User unknown", refusal.Reply, StringComparison.Ordinal);

        var received = Assert.Single(server.Messages);
        Assert.Equal([Alice.Address], received.RcptTos);
        // The header still names both: the refusal is about delivery, not about what the message says.
        var decoded = await PythonEmailParser.DecodeAsync(received.Bytes);
        Assert.Equal([Alice.Address, Bob.Address], decoded.To.Select(t => t.Address));
    }

    [Fact]
    public async Task WhenEveryRecipientIsRefusedNothingIsSentAndTheErrorListsEachWithItsReply()
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions { Faults = [$"refuse-rcpt={Alice.Address}", $"refuse-rcpt={Bob.Address}"] });

        var error = await SendExpectingFailureAsync<SmtpCommandException>(Settings(server), Message(to: [Alice, Bob]));

        output.WriteLine(Told(error));
        AssertTold(
            error,
            $"the server refused every recipient: {Alice.Address} (550 5.1.1 <{Alice.Address}>: Recipient address rejected: User unknown in local recipient table); " +
            $"{Bob.Address} (550 5.1.1 <{Bob.Address}>: Recipient address rejected: User unknown in local recipient table)",
            "check the recipients' addresses; the server's replies say why");
        Assert.Equal(550, (int)error.Code);
        Assert.Equal("5.1.1", error.EnhancedStatus);
        Assert.False(error.IsTransient);
        // The mailbox the (first) refusal is about.
        Assert.Equal(Alice.Address, error.Mailbox);
        Assert.Empty(server.Messages);
        Assert.DoesNotContain("DATA", Assert.Single(server.Sessions).Commands);
    }

    [Fact]
    public async Task ANonAsciiLocalPartIsRefusedBeforeMailFromWhenTheServerLacksSmtpUtf8()
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions { OfferSmtpUtf8 = false });
        var jorg = new Mailbox("jörg@example.com", "Jörg");

        var error = await SendExpectingFailureAsync<SmtpException>(Settings(server), Message(to: [jorg]));

        output.WriteLine(Told(error));
        AssertTold(
            error,
            "the address jörg@example.com needs SMTPUTF8, which localhost does not offer: nothing was sent",
            "use an ASCII address (or its punycode domain) or a server that supports SMTPUTF8");
        var session = Assert.Single(server.Sessions);
        Assert.False(session.MailFromSent);
        Assert.Empty(server.Messages);
    }

    [Fact]
    public async Task AReplyThatIsNotSmtpIsAProtocolFailureThatSaysSo()
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions { Faults = ["ehlo-garbage"] });

        var error = await SendExpectingFailureAsync<SmtpProtocolException>(Settings(server));

        output.WriteLine(Told(error));
        AssertTold(
            error,
            "localhost sent a reply that is not SMTP during EHLO; the connection was dropped",
            "check that Mail__Host and Mail__Port point at an SMTP server (and Mail__Protocol matches the port)");
        Assert.False(server.MailFromEverSent);
    }

    [Fact]
    public async Task A451AfterDataIsReportedAsATransientRefusal()
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions { Faults = ["data-451"] });

        var error = await SendExpectingFailureAsync<SmtpCommandException>(Settings(server));

        output.WriteLine(Told(error));

        var refused = Assert.IsAssignableFrom<SmtpCommandException>(error);
        Assert.Equal(451, (int)refused.Code);
        Assert.True(refused.IsTransient);
        AssertTold(
            error,
            "localhost refused the message after DATA: 451 4.3.0",
            "the server failed temporarily; the notification was not sent (Notifier does not retry)");
        // The server did receive the whole message before refusing it.
        var received = Assert.Single(server.Messages);
        Assert.StartsWith("451", received.Reply, StringComparison.Ordinal);
        Assert.Equal("Pull request #42: Café ☕", (await PythonEmailParser.DecodeAsync(received.Bytes)).Subject);
    }

    [Fact]
    public async Task AServerThatClosesDuringDataIsReportedAsNotSent()
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions { Faults = ["close-during-data"] });

        var error = await SendExpectingFailureAsync<SmtpProtocolException>(Settings(server));

        output.WriteLine(Told(error));

        AssertTold(
            error,
            "localhost closed the connection unexpectedly during DATA",
            "check the mail server's logs for why it dropped the session");
        Assert.Empty(server.Messages);
        var sessions = await server.WaitForSessionsAsync(s => s.Any(x => x.Ended == "closed during DATA"));
        var cut = Assert.Single(sessions, s => s.Ended == "closed during DATA");
        Assert.Contains("DATA", cut.Commands);
        // The content had started: the server read one line of it (a header line) before it closed.
        var firstLine = System.Text.Encoding.ASCII.GetString(Convert.FromBase64String(Assert.IsType<string>(cut.PartialData)));
        Assert.Matches("^[A-Za-z-]+: .*\\r\\n$", firstLine);
    }

    [Theory]
    [InlineData("silent", "sent no SMTP greeting within 1 s", "if this port expects TLS from the first byte (SMTPS), set Mail__Protocol=Smtps; otherwise check the server or raise Mail__CommandTimeout")]
    [InlineData("silent-after-ehlo", "localhost did not answer within 1 s during the session setup", "check the mail server (it may be overloaded or a firewall may drop packets), or raise Mail__CommandTimeout")]
    public async Task ASilentServerMakesTheCommandTimeoutFire(string fault, string what, string hint)
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions { Faults = [fault] });
        var timeout = TimeSpan.FromSeconds(1);

        var clock = Stopwatch.StartNew();
        var error = await SendExpectingFailureAsync<SmtpProtocolException>(Settings(server, tls: MailTls.None, commandTimeout: timeout));
        output.WriteLine(Told(error));
        clock.Stop();

        AssertTold(error, what, hint);
        // It was the timeout that ended the wait: not before it, and not long after (a generous bound).
        Assert.InRange(clock.Elapsed, timeout * 0.9, TimeSpan.FromSeconds(30));
        // The server records how a session ended in its own time, after the client has given up.
        var session = Assert.Single(fault == "silent" ? server.Sessions : await server.WaitForSessionsAsync(s => s.Count == 1 && s[0].Ended is not null));
        if (fault == "silent")
        {
            // The client waited for a greeting that never came: it said nothing at all.
            Assert.Empty(session.Commands);
        }
        else
        {
            Assert.StartsWith("EHLO ", Assert.Single(session.Commands), StringComparison.Ordinal);
            Assert.Equal("went silent after EHLO", session.Ended);
        }

        Assert.False(server.MailFromEverSent);
    }

    [Fact]
    public async Task TheCommandTimeoutBoundsEachRoundTripNotTheWholeSession()
    {
        // Every reply comes 0.5 s late: each round trip fits the 1.5 s timeout, the session (greeting, EHLO,
        // MAIL, RCPT, DATA, the message, QUIT: 3.5 s) does not, and neither does the transaction alone (2 s).
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions { Faults = ["slow=0.5"] });
        var timeout = TimeSpan.FromSeconds(1.5);

        var clock = Stopwatch.StartNew();
        await using (var transport = Transport(Settings(server, tls: MailTls.None, commandTimeout: timeout)))
        {
            await transport.SendAsync(Message());
        }

        clock.Stop();
        output.WriteLine($"session took {clock.Elapsed}");
        Assert.Single(server.Messages);
        Assert.True(clock.Elapsed > timeout * 2, $"the session took {clock.Elapsed}, not longer than two timeouts: the test proves nothing");
    }
}
