using Notifier.Smtp.Options;
using Notifier.Smtp.Tests.Servers;
using static Notifier.Smtp.Tests.Integration.IntegrationSupport;

namespace Notifier.Smtp.Tests.Integration;

/// <summary>
/// Every Bitbucket mail-server mode against a real SMTP server process, anonymous and with AUTH: the server
/// must receive the message over the expected kind of connection, and Python's email package must read it back.
/// </summary>
[Trait("Category", "Integration")]
public sealed class SmtpModeTests(ServerCertificates certificates) : IClassFixture<ServerCertificates>
{
    public static TheoryData<MailProtocol, MailTls, ServerTls, bool, bool> Modes()
    {
        var data = new TheoryData<MailProtocol, MailTls, ServerTls, bool, bool>();
        foreach (var auth in new[] { false, true })
        {
            // protocol, Mail__Tls, what the server offers, authenticate, expect TLS
            data.Add(MailProtocol.Smtp, MailTls.None, ServerTls.None, auth, false);
            data.Add(MailProtocol.Smtp, MailTls.None, ServerTls.StartTls, auth, false);
            data.Add(MailProtocol.Smtp, MailTls.IfAvailable, ServerTls.StartTls, auth, true);
            data.Add(MailProtocol.Smtp, MailTls.IfAvailable, ServerTls.None, auth, false);
            data.Add(MailProtocol.Smtp, MailTls.Always, ServerTls.StartTls, auth, true);
            data.Add(MailProtocol.Smtps, MailTls.IfAvailable, ServerTls.Smtps, auth, true);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task DeliversInEveryModeOverTheExpectedConnection(MailProtocol protocol, MailTls tls, ServerTls offered, bool authenticate, bool expectTls)
    {
        // Without TLS the server offers AUTH only when told to, and the client uses it only when allowed.
        var plaintextAuth = authenticate && !expectTls;
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions
        {
            Tls = offered,
            Certificate = offered == ServerTls.None ? null : certificates.Localhost,
            Auth = authenticate ? Credentials : null,
            AllowPlaintextAuth = plaintextAuth,
        });
        var options = Settings(server, protocol, tls, authenticate, certificates.AuthorityPath, allowPlaintextAuth: plaintextAuth);
        var message = Message();

        SendResult result;
        await using (var transport = Transport(options))
        {
            result = await transport.SendAsync(message);
        }

        Assert.Equal([Alice], result.Accepted);
        Assert.Empty(result.Refused);
        Assert.StartsWith("250", result.ServerReply, StringComparison.Ordinal);

        var received = Assert.Single(server.Messages);
        Assert.Equal("noreply@example.com", received.MailFrom);
        Assert.Equal(["alice@example.com"], received.RcptTos);
        Assert.Equal(expectTls, received.Tls);
        Assert.Equal(authenticate ? User : null, received.AuthenticatedAs);
        var session = Assert.Single(server.Sessions);
        Assert.Equal(offered == ServerTls.StartTls && tls != MailTls.None, session.Commands.Contains("STARTTLS"));
        Assert.Equal(authenticate, session.Commands.Any(c => c.StartsWith("AUTH", StringComparison.Ordinal)));

        var decoded = await PythonEmailParser.DecodeAsync(received.Bytes);
        Assert.Equal(message.Subject, decoded.Subject);
        Assert.Equal(message.TextBody, decoded.TextLf);
        Assert.Equal(message.HtmlBody, decoded.HtmlLf);
        Assert.Equal("auto-generated", decoded.Header("Auto-Submitted"));
        Assert.Empty(decoded.Defects);
    }

    [Fact]
    public async Task EhloNamesThisMachineWhenItsNameIsADomainElseTheAddressOfTheLocalEnd()
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions());

        await using (var transport = Transport(Settings(server, tls: MailTls.None)))
        {
            await transport.SendAsync(Message());
        }

        var session = Assert.Single(server.Sessions);
        var machine = System.Net.Dns.GetHostName();
        var expected = machine.Contains('.', StringComparison.Ordinal) ? machine : $"[{session.PeerAddress}]";
        Assert.NotNull(session.PeerAddress);
        Assert.Equal("EHLO " + expected, session.Commands[0]);
    }

    [Fact]
    public async Task AfterStartTlsTheClientSaysEhloAgainBeforeAnythingElse()
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions { Tls = ServerTls.StartTls, Certificate = certificates.Localhost });

        await using (var transport = Transport(Settings(server, tls: MailTls.IfAvailable, trusted: certificates.AuthorityPath)))
        {
            await transport.SendAsync(Message());
        }

        var session = Assert.Single(server.Sessions);
        var verbs = session.Commands.Select(c => c.Split(' ')[0]).ToList();
        Assert.Equal(["EHLO", "STARTTLS", "EHLO", "MAIL", "RCPT", "DATA", "QUIT"], verbs);
        // The same name both times.
        Assert.Equal(session.Commands[0], session.Commands[2]);
    }

    [Fact]
    public async Task WithPipeliningMailFromAndEveryRcptToLeaveTogetherBeforeAnyReply()
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions { OfferPipelining = true });

        await using (var transport = Transport(Settings(server, tls: MailTls.None)))
        {
            await transport.SendAsync(Message(to: [Alice, Bob]));
        }

        var session = Assert.Single(server.Sessions);
        var mail = session.Commands.FindIndex(c => c.StartsWith("MAIL", StringComparison.Ordinal));
        // When the server read MAIL FROM, both RCPT TO lines had already arrived: the client had not waited for a reply.
        Assert.Equal(["RCPT", "RCPT"], session.Waiting[mail]);
        Assert.Equal([Alice.Address, Bob.Address], Assert.Single(server.Messages).RcptTos);
    }

    [Fact]
    public async Task WithoutPipeliningEachCommandWaitsForItsReply()
    {
        // The control for the test above: the recording does tell pipelined commands from sequential ones.
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions());

        await using (var transport = Transport(Settings(server, tls: MailTls.None)))
        {
            await transport.SendAsync(Message(to: [Alice, Bob]));
        }

        var session = Assert.Single(server.Sessions);
        Assert.Equal(session.Commands.Count, session.Waiting.Count);
        Assert.All(session.Waiting, Assert.Empty);
        Assert.Single(server.Messages);
    }

    [Fact]
    public async Task ReusesOnePooledConnectionForSeveralMessages()
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions { Tls = ServerTls.StartTls, Certificate = certificates.Localhost });
        var options = Settings(server, tls: MailTls.Always, trusted: certificates.AuthorityPath);

        await using (var transport = Transport(options))
        {
            for (var i = 0; i < 3; i++)
            {
                await transport.SendAsync(Message($"message {i}"));
            }
        }

        Assert.Equal(3, server.Messages.Count);
        var session = Assert.Single(server.Sessions);
        Assert.Equal(3, session.Commands.Count(c => c.StartsWith("MAIL", StringComparison.Ordinal)));
        Assert.All(server.Messages, m => Assert.True(m.Tls));
    }
}
