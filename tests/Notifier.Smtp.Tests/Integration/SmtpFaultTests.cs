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

        AssertTold(error, "421");
        Assert.NotEmpty(server.Sessions);
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

        AssertTold(error, "the server does not offer STARTTLS and Mail__Tls=Always: nothing was sent");
        Assert.False(server.MailFromEverSent);
        Assert.All(server.Sessions, s => Assert.DoesNotContain(s.Commands, c => c.StartsWith("MAIL", StringComparison.Ordinal) || c.StartsWith("RCPT", StringComparison.Ordinal) || c.StartsWith("DATA", StringComparison.Ordinal)));
        Assert.Empty(server.Messages);
        // The client ends the session politely rather than dropping it.
        var session = Assert.Single(server.Sessions);
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

        AssertTold(error, "self-signed", "SHA-256", "Mail__TrustedCertificatesPath");
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

        AssertTold(error, "Notifier Test CA", "Mail__TrustedCertificatesPath");
        Assert.False(server.MailFromEverSent);
    }

    [Fact]
    public async Task AHostNameMismatchIsNeverForgivenEvenWithATrustedCa()
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions { Tls = ServerTls.StartTls, Certificate = certificates.OtherHost });

        var error = await SendExpectingFailureAsync<SmtpProtocolException>(Settings(server, tls: MailTls.IfAvailable, trusted: certificates.AuthorityPath));

        output.WriteLine(Told(error));

        AssertTold(error, "does not name localhost", ServerCertificates.OtherHostName, "Mail__Host");
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

        Assert.IsAssignableFrom<SmtpAuthenticationException>(error);
        AssertTold(error, "535", "Mail__Username");
        Assert.DoesNotContain(Password, error.ToString(), StringComparison.Ordinal);
        Assert.Contains(server.Sessions, s => s.Commands.Contains("AUTH PLAIN") || s.Commands.Contains("AUTH LOGIN"));
        Assert.False(server.MailFromEverSent);
    }

    [Fact]
    public async Task AuthIsNotAttemptedOverPlaintextWithoutAllowPlaintextAuth()
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions { Auth = Credentials, AllowPlaintextAuth = true });

        var error = await SendExpectingFailureAsync<SmtpException>(Settings(server, tls: MailTls.IfAvailable, authenticate: true));

        output.WriteLine(Told(error));

        AssertTold(error, "refusing to send the SMTP password to localhost over an unencrypted connection: nothing was sent", "Mail__AllowPlaintextAuth");
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
            $"{Bob.Address} (550 5.1.1 <{Bob.Address}>: Recipient address rejected: User unknown in local recipient table)");
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
        AssertTold(error, "the address jörg@example.com needs SMTPUTF8, which localhost does not offer: nothing was sent");
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
        AssertTold(error, "localhost sent a reply that is not SMTP during EHLO; the connection was dropped", "Mail__Host and Mail__Port point at an SMTP server");
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
        AssertTold(error, "451");
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

        Assert.IsAssignableFrom<SmtpProtocolException>(error);
        AssertTold(error, "clos");
        Assert.Empty(server.Messages);
        var sessions = await server.WaitForSessionsAsync(s => s.Any(x => x.Ended == "closed during DATA"));
        Assert.Contains(sessions, s => s.Ended == "closed during DATA" && s.Commands.Contains("DATA"));
    }

    [Theory]
    [InlineData("silent", "sent no SMTP greeting")]
    [InlineData("silent-after-ehlo", "did not answer")]
    public async Task ASilentServerMakesTheCommandTimeoutFire(string fault, string what)
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions { Faults = [fault] });
        var timeout = TimeSpan.FromSeconds(1);

        var clock = Stopwatch.StartNew();
        var error = await SendExpectingFailureAsync<SmtpProtocolException>(Settings(server, tls: MailTls.None, commandTimeout: timeout));
        output.WriteLine(Told(error));
        clock.Stop();

        AssertTold(error, what, "within 1 s", "Mail__CommandTimeout");
        // It was the timeout that ended the wait: not before it, and not long after (a generous bound).
        Assert.InRange(clock.Elapsed, timeout * 0.9, TimeSpan.FromSeconds(30));
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
