using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging.Abstractions;
using Notifier.Smtp.Options;
using Notifier.Smtp.Protocol;
using Notifier.Smtp.Tests.Support;
using Notifier.Smtp.Tls;
using static Notifier.Smtp.Tests.Support.SmtpTesting;

namespace Notifier.Smtp.Tests.Tls;

public sealed class TlsTests
{
    private const string Host = "mail.example.com";

    [Fact]
    public async Task StartTlsWithATrustedSelfSignedCertificateThenEhloAgainAndAuth()
    {
        using var certificate = TestCertificates.SelfSigned(Host);
        var pem = TestCertificates.WritePem(certificate);
        string? content = null;
        await using var server = new LoopbackSmtpServer(async s =>
        {
            await s.SendAsync("220 mail.example.com ESMTP");
            await s.ExpectAsync("EHLO ");
            await s.SendAsync("250-mail.example.com", "250-PIPELINING", "250 STARTTLS");
            await s.ExpectAsync("STARTTLS");
            await s.SendAsync("220 2.0.0 ready");
            await s.StartTlsAsync(certificate);
            await s.ExpectAsync("EHLO ");
            await s.SendAsync("250-mail.example.com", "250 AUTH PLAIN LOGIN");
            await s.ExpectAsync("AUTH PLAIN ");
            await s.SendAsync("235 2.7.0 ok");
            content = await s.AcceptMessageAsync();
            await s.QuitAsync();
        });
        var options = TestOptions(o =>
        {
            o.Tls = MailTls.Always;
            o.TrustedCertificatesPath = pem;
        });
        await using var connection = await Open(server, options);

        await connection.EstablishAsync(new SmtpCredentials("u", "p"), null, CancellationToken.None);
        await connection.SendAsync(From, [Jane], Message(), null, CancellationToken.None);
        await connection.QuitAsync(CancellationToken.None);

        Assert.True(connection.IsEncrypted);
        Assert.True(connection.TlsInfo!.Protocol is SslProtocols.Tls12 or SslProtocols.Tls13);
        Assert.Equal("CN=" + Host, connection.TlsInfo.Subject);
        Assert.Equal(TrustedCertificates.Fingerprint(certificate), connection.TlsInfo.Sha256Fingerprint);
        Assert.Equal("PLAIN", connection.AuthMechanismUsed);
        Assert.Equal(Received(), content);
        Assert.Equal(2, server.Received.Count(l => l.StartsWith("EHLO ", StringComparison.Ordinal)));
        Assert.Empty(server.Errors);
    }

    [Fact]
    public async Task UntrustedSelfSignedCertificateIsRefusedWithItsFingerprintAndNothingIsSent()
    {
        using var certificate = TestCertificates.SelfSigned(Host);
        await using var server = StartTlsServer(certificate);
        await using var connection = await Open(server, TestOptions(o => o.Tls = MailTls.IfAvailable));

        var error = await Assert.ThrowsAsync<SmtpProtocolException>(() => connection.EstablishAsync(null, null, CancellationToken.None));

        Assert.Equal(
            $"the certificate of {Host} is self-signed (SHA-256 {TrustedCertificates.Fingerprint(certificate)}): add it to Mail__TrustedCertificatesPath",
            error.Message);
        Assert.Contains("openssl s_client", error.Hint, StringComparison.Ordinal);
        Assert.True(connection.IsBroken);
        await Task.Delay(50);
        Assert.DoesNotContain(server.Received, l => l.StartsWith("MAIL", StringComparison.Ordinal));
        Assert.Equal("STARTTLS", server.Received.Last());
    }

    [Fact]
    public async Task CertificateFromAPrivateCaIsTrustedThroughTheSetting()
    {
        using var authority = TestCertificates.Authority("Notifier Test CA");
        using var certificate = TestCertificates.IssuedBy(authority, Host);
        await using var server = StartTlsServer(certificate);

        await using (var untrusted = await Open(server, TestOptions(o => o.Tls = MailTls.Always)))
        {
            var error = await Assert.ThrowsAsync<SmtpProtocolException>(() => untrusted.EstablishAsync(null, null, CancellationToken.None));
            Assert.Contains("is issued by 'CN=Notifier Test CA', which this machine does not trust", error.Message, StringComparison.Ordinal);
            Assert.Contains("Mail__TrustedCertificatesPath", error.Message, StringComparison.Ordinal);
        }

        var options = TestOptions(o =>
        {
            o.Tls = MailTls.Always;
            o.TrustedCertificatesPath = TestCertificates.WritePem(authority);
        });
        await using var trusted = await Open(server, options);
        await trusted.EstablishAsync(null, null, CancellationToken.None);

        Assert.Equal("CN=Notifier Test CA", trusted.TlsInfo!.Issuer);
    }

    [Fact]
    public async Task HostNameMismatchIsRefusedEvenForATrustedCertificate()
    {
        using var certificate = TestCertificates.SelfSigned("other.example.org");
        await using var server = StartTlsServer(certificate);
        var options = TestOptions(o =>
        {
            o.Tls = MailTls.Always;
            o.TrustedCertificatesPath = TestCertificates.WritePem(certificate);
        });
        await using var connection = await Open(server, options);

        var error = await Assert.ThrowsAsync<SmtpProtocolException>(() => connection.EstablishAsync(null, null, CancellationToken.None));

        Assert.StartsWith($"the certificate of {Host} does not name {Host}: it is for other.example.org (SHA-256 ", error.Message, StringComparison.Ordinal);
        Assert.Contains("Mail__Host", error.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SmtpsStartsTlsFromTheFirstByte()
    {
        using var certificate = TestCertificates.SelfSigned(Host);
        await using var server = new LoopbackSmtpServer(async s =>
        {
            await s.StartTlsAsync(certificate);
            await s.SendAsync("220 mail.example.com ESMTP");
            await s.ExpectAsync("EHLO ");
            await s.SendAsync("250-mail.example.com", "250 AUTH LOGIN");
            await s.QuitAsync();
        });
        var options = TestOptions(o =>
        {
            o.Protocol = MailProtocol.Smtps;
            o.TrustedCertificatesPath = TestCertificates.WritePem(certificate);
        });
        await using var connection = await Open(server, options);

        await connection.EstablishAsync(null, null, CancellationToken.None);

        Assert.True(connection.IsEncrypted);
        Assert.Equal("220 mail.example.com ESMTP", connection.Greeting!.ToString());
    }

    [Fact]
    public async Task SmtpsAgainstAPlainServerSaysToUseSmtp()
    {
        await using var server = new LoopbackSmtpServer(async s =>
        {
            await s.SendAsync("220 plain.example.com ESMTP Postfix");
            await s.ReadLineAsync();
        });
        await using var connection = await Open(server, TestOptions(o => o.Protocol = MailProtocol.Smtps));

        var error = await Assert.ThrowsAsync<SmtpProtocolException>(() => connection.EstablishAsync(null, null, CancellationToken.None));

        Assert.Contains("answered in plaintext (\"220 plain.example.com ESMTP Postfix\") instead of starting TLS: set Mail__Protocol=Smtp", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AlwaysWithoutStartTlsSendsNothing()
    {
        var server = new TranscriptStream().Greet("PIPELINING", "AUTH PLAIN").Expect("QUIT").Reply("221 bye");
        await using var connection = Connection(server, TestOptions(o => o.Tls = MailTls.Always));

        var error = await Assert.ThrowsAsync<SmtpException>(() => connection.EstablishAsync(new SmtpCredentials("u", "p"), null, CancellationToken.None));

        server.AssertCompleted();
        Assert.Equal("the server does not offer STARTTLS and Mail__Tls=Always: nothing was sent", error.Message);
        Assert.DoesNotContain(server.ClientLines, l => l.StartsWith("MAIL", StringComparison.Ordinal) || l.StartsWith("AUTH", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AlwaysAfterHeloFallbackSendsNothing()
    {
        var server = new TranscriptStream()
            .Reply("220 old SMTP").ExpectPrefix("EHLO ").Reply("500 unknown").ExpectPrefix("HELO ").Reply("250 old")
            .Expect("QUIT").Reply("221 bye");
        await using var connection = Connection(server, TestOptions(o => o.Tls = MailTls.Always));

        await Assert.ThrowsAsync<SmtpException>(() => connection.EstablishAsync(null, null, CancellationToken.None));

        server.AssertCompleted();
    }

    [Fact]
    public async Task RefusedStartTlsNeverFallsBackToPlaintext()
    {
        var server = new TranscriptStream().Greet("STARTTLS", "AUTH PLAIN").Expect("STARTTLS").Reply("454 4.7.0 TLS not available");
        await using var connection = Connection(server, TestOptions(o => o.Tls = MailTls.IfAvailable));

        var error = await Assert.ThrowsAsync<SmtpCommandException>(() => connection.EstablishAsync(null, null, CancellationToken.None));

        server.AssertCompleted();
        Assert.Contains("refused STARTTLS", error.Message, StringComparison.Ordinal);
        Assert.Contains("never falls back to plaintext", error.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DataAfterTheStartTlsReplyIsTreatedAsInjection()
    {
        var server = new TranscriptStream().Greet("STARTTLS").Expect("STARTTLS").Reply("220 go ahead", "250 injected");
        await using var connection = Connection(server, TestOptions(o => o.Tls = MailTls.IfAvailable));

        var error = await Assert.ThrowsAsync<SmtpProtocolException>(() => connection.EstablishAsync(null, null, CancellationToken.None));

        Assert.Contains("sent data after agreeing to STARTTLS", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TlsNoneIgnoresOfferedStartTls()
    {
        var server = new TranscriptStream().Greet("STARTTLS");
        await using var connection = Connection(server, TestOptions(o => o.Tls = MailTls.None));

        await connection.EstablishAsync(null, null, CancellationToken.None);

        server.AssertCompleted();
        Assert.False(connection.IsEncrypted);
    }

    [Fact]
    public async Task IfAvailableSendsInPlaintextWhenStartTlsIsNotOffered()
    {
        var server = new TranscriptStream().Greet("PIPELINING");
        await using var connection = Connection(server, TestOptions(o => o.Tls = MailTls.IfAvailable));

        await connection.EstablishAsync(null, null, CancellationToken.None);

        server.AssertCompleted();
        Assert.False(connection.IsEncrypted);
    }

    private static LoopbackSmtpServer StartTlsServer(X509Certificate2 certificate) => new(async s =>
    {
        await s.SendAsync("220 mail.example.com ESMTP");
        await s.ExpectAsync("EHLO ");
        await s.SendAsync("250-mail.example.com", "250 STARTTLS");
        await s.ExpectAsync("STARTTLS");
        await s.SendAsync("220 2.0.0 ready");
        await s.StartTlsAsync(certificate);
        await s.ExpectAsync("EHLO ");
        await s.SendAsync("250 mail.example.com");
        await s.QuitAsync();
    });

    private static async Task<SmtpConnection> Open(LoopbackSmtpServer server, MailOptions options)
    {
        var trusted = TrustedCertificates.Load(options.TrustedCertificatesPath, out var error);
        Assert.Null(error);
        return await SmtpConnection.OpenAsync(options, new CertificateValidator(trusted), NullLogger.Instance, server.Connect, CancellationToken.None);
    }
}
