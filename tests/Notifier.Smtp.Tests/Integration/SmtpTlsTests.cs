using System.Net;
using System.Net.Sockets;
using Notifier.Smtp.Diagnostics;
using Notifier.Smtp.Options;
using Notifier.Smtp.Tests.Servers;
using Xunit.Abstractions;
using static Notifier.Smtp.Tests.Integration.IntegrationSupport;

namespace Notifier.Smtp.Tests.Integration;

/// <summary>
/// TLS policy against real servers: no plaintext fallback once TLS was tried, the wrong protocol for the
/// port explained in both directions, the IfAvailable warning, and certificate hints for the host, port and
/// protocol in use.
/// </summary>
[Trait("Category", "Integration")]
public sealed class SmtpTlsTests(ServerCertificates certificates, ITestOutputHelper output) : IClassFixture<ServerCertificates>
{
    [Fact]
    public async Task ARefusedStartTlsNeverFallsBackToPlaintext()
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions { Tls = ServerTls.StartTls, Certificate = certificates.Localhost, Faults = ["starttls-454"] });

        var error = await SendExpectingFailureAsync<SmtpCommandException>(Settings(server, tls: MailTls.IfAvailable, trusted: certificates.AuthorityPath));

        output.WriteLine(Told(error));
        AssertTold(error, "refused STARTTLS: 454 4.7.0", "never falls back to plaintext");
        Assert.False(server.MailFromEverSent);
    }

    [Fact]
    public async Task DataAfterTheStartTlsReplyEndsTheSession()
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions { Tls = ServerTls.StartTls, Certificate = certificates.Localhost, Faults = ["starttls-injection"] });

        var error = await SendExpectingFailureAsync<SmtpProtocolException>(Settings(server, tls: MailTls.Always, trusted: certificates.AuthorityPath));

        output.WriteLine(Told(error));
        AssertTold(error, "sent data after agreeing to STARTTLS");
        Assert.False(server.MailFromEverSent);
    }

    [Fact]
    public async Task SmtpsAgainstAPlainServerSaysToUseSmtp()
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions());

        var error = await SendExpectingFailureAsync<SmtpProtocolException>(Settings(server, protocol: MailProtocol.Smtps));

        output.WriteLine(Told(error));
        AssertTold(error, $"localhost:{server.Port} answered in plaintext (\"220 test-smtp.localhost", "instead of starting TLS: set Mail__Protocol=Smtp");
    }

    [Fact]
    public async Task PlainSmtpAgainstTheSmtpsPortSaysPort465ExpectsTls()
    {
        // Port 465 is the point of this test; a loopback address of its own keeps it clear of another test run's server.
        var address = $"127.{Random.Shared.Next(1, 255)}.{Random.Shared.Next(1, 255)}.{Random.Shared.Next(1, 255)}";
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions { Address = address, Port = 465, Tls = ServerTls.Smtps, Certificate = certificates.Localhost });
        var options = Settings(server, protocol: MailProtocol.Smtp, tls: MailTls.IfAvailable, commandTimeout: TimeSpan.FromSeconds(30));
        options.Host = address;

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var error = await SendExpectingFailureAsync<SmtpProtocolException>(options);

        output.WriteLine(Told(error));
        AssertTold(error, "port 465 expects TLS from the first byte: set Mail__Protocol=Smtps", "sent no SMTP greeting within 5 s");
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task AlwaysAfterAHeloFallbackSendsNothing()
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions { Faults = ["no-ehlo"] });

        var error = await SendExpectingFailureAsync<SmtpException>(Settings(server, tls: MailTls.Always));

        AssertTold(error, "does not offer STARTTLS and Mail__Tls=Always");
        Assert.Contains(server.Sessions, s => s.Commands.Any(c => c.StartsWith("HELO", StringComparison.Ordinal)));
        Assert.False(server.MailFromEverSent);
        var session = Assert.Single(await server.WaitForSessionsAsync(s => s.Count == 1 && s[0].Ended is not null));
        Assert.Equal("QUIT", session.Commands[^1]);
        Assert.Equal("QUIT", session.Ended);
    }

    [Theory]
    [InlineData(MailProtocol.Smtp, ServerTls.StartTls)]
    [InlineData(MailProtocol.Smtps, ServerTls.Smtps)]
    public async Task AServerThatSpeaksNothingNewerThanTls11IsRefused(MailProtocol protocol, ServerTls offered)
    {
        // The server does speak TLS 1.1 (openssl s_client -tls1_1 with @SECLEVEL=0 gets it). On a machine whose
        // OpenSSL keeps its default security level, .NET would refuse it even if our SslProtocols allowed TLS 1.1
        // (no legacy signature algorithms), so here this pins what the admin is told and the exception type.
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions { Tls = offered, Certificate = certificates.Localhost, TlsMaximumVersion = "1.1" });

        var error = await SendExpectingFailureAsync<SmtpProtocolException>(Settings(server, protocol, MailTls.Always, trusted: certificates.AuthorityPath));

        output.WriteLine(Told(error));
        AssertTold(error, $"the TLS handshake with localhost:{server.Port} failed", "the server must offer TLS 1.2 or later with a certificate for localhost");
        Assert.False(server.MailFromEverSent);
        Assert.All(server.Sessions, s => Assert.False(s.Tls));
    }

    [Theory]
    [InlineData("refuses the connection")]
    [InlineData("never answers")]
    public async Task RevocationIsNotCheckedSoAnUnreachableRevocationListDoesNotStopDelivery(string revocationServer)
    {
        // The certificate names a revocation list, an OCSP responder and its issuer's certificate on a loopback
        // port that either refuses connections or accepts them and then says nothing (a checking client waits
        // there until its own timeout, longer than the command timeout below).
        using var port = LoopbackPort(listen: revocationServer == "never answers", out var url);

        await AssertDeliveredPromptlyAsync(certificates.LocalhostWithRevocationUrls(url), TimeSpan.FromSeconds(5), url);
    }

    [Fact]
    public async Task TheIssuerOfAPrivateCaCertificateIsTakenFromTheTrustedCertificatesNotDownloaded()
    {
        // The certificate says its issuer can be downloaded from a loopback port that accepts connections and
        // then says nothing, as an internal URL behind a firewall that drops packets. The issuer is in
        // Mail__TrustedCertificatesPath: the handshake must not wait for the download (.NET waits about 15 s).
        using var port = LoopbackPort(listen: true, out var url);

        await AssertDeliveredPromptlyAsync(certificates.LocalhostWithIssuerUrl(url), TimeSpan.FromSeconds(30), url);
    }

    /// <summary>A loopback port that refuses connections, or (<paramref name="listen"/>) accepts them and never answers.</summary>
    private static Socket LoopbackPort(bool listen, out string url)
    {
        var port = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        port.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        if (listen)
        {
            port.Listen();
        }

        url = $"http://127.0.0.1:{((IPEndPoint)port.LocalEndPoint!).Port}/";
        return port;
    }

    /// <summary>Delivers over STARTTLS with <paramref name="certificate"/> (issued by the trusted test CA) in well under 4 s.</summary>
    private async Task AssertDeliveredPromptlyAsync(PemCertificate certificate, TimeSpan commandTimeout, string url)
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions { Tls = ServerTls.StartTls, Certificate = certificate });

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await using (var transport = Transport(Settings(server, tls: MailTls.Always, trusted: certificates.AuthorityPath, commandTimeout: commandTimeout)))
        {
            await transport.SendAsync(Message());
        }

        clock.Stop();
        output.WriteLine($"delivered in {clock.Elapsed}");
        Assert.True(Assert.Single(server.Messages).Tls);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), $"delivery took {clock.Elapsed}: something waited for {url}");
    }

    [Fact]
    public async Task IfAvailableWithoutStartTlsWarnsThatMailGoesUnencrypted()
    {
        await using var plain = await SmtpServerProcess.StartAsync(new SmtpServerOptions());
        await using var encrypted = await SmtpServerProcess.StartAsync(new SmtpServerOptions { Tls = ServerTls.StartTls, Certificate = certificates.Localhost });

        var unencrypted = await new SmtpProbe().CheckAsync(Settings(plain, tls: MailTls.IfAvailable));
        var withTls = await new SmtpProbe().CheckAsync(Settings(encrypted, tls: MailTls.IfAvailable, trusted: certificates.AuthorityPath));

        Assert.True(unencrypted.Succeeded);
        var warning = Assert.Single(unencrypted.Warnings);
        Assert.Contains($"localhost:{plain.Port} does not offer STARTTLS", warning, StringComparison.Ordinal);
        Assert.Contains("unencrypted", warning, StringComparison.Ordinal);
        Assert.Contains("Mail__Tls=Always", warning, StringComparison.Ordinal);
        Assert.True(withTls.Succeeded);
        Assert.Empty(withTls.Warnings);
    }

    [Theory]
    [InlineData(MailProtocol.Smtp, ServerTls.StartTls, " -starttls smtp -showcerts")]
    [InlineData(MailProtocol.Smtps, ServerTls.Smtps, " -showcerts")]
    public async Task TheCertificateHintNamesTheHostPortAndProtocolInUse(MailProtocol protocol, ServerTls offered, string command)
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions { Tls = offered, Certificate = certificates.SelfSigned });

        var error = await SendExpectingFailureAsync<SmtpProtocolException>(Settings(server, protocol: protocol, tls: MailTls.Always));

        output.WriteLine(Told(error));
        Assert.Contains($"openssl s_client -connect localhost:{server.Port}{command}", error.Hint, StringComparison.Ordinal);
        if (protocol == MailProtocol.Smtps)
        {
            Assert.DoesNotContain("-starttls", error.Hint, StringComparison.Ordinal);
        }
    }
}
