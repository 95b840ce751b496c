using Notifier.Smtp.Options;
using Notifier.Smtp.Tests.Servers;
using static Notifier.Smtp.Tests.Integration.IntegrationSupport;

namespace Notifier.Smtp.Tests.Tls;

/// <summary>
/// <c>Mail__TrustedCertificates</c>: the PEM as text (in Azure, a Key Vault reference app setting), beside the
/// PEM file of <c>Mail__TrustedCertificatesPath</c>; against real STARTTLS servers with test-made certificates.
/// </summary>
[Trait("Category", "Integration")]
public sealed class TrustedCertificatesTextTests(ServerCertificates certificates) : IClassFixture<ServerCertificates>
{
    [Fact]
    public async Task ASelfSignedServerIsTrustedThroughThePemText()
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions { Tls = ServerTls.StartTls, Certificate = certificates.SelfSigned });
        var options = Settings(server, tls: MailTls.Always);

        await SendExpectingFailureAsync<SmtpProtocolException>(options);
        options.TrustedCertificates = File.ReadAllText(certificates.SelfSigned.CertificatePath);
        await using (var transport = Transport(options))
        {
            await transport.SendAsync(Message());
        }

        Assert.True(Assert.Single(server.Messages).Tls);
    }

    [Fact]
    public async Task APrivateCaGivenAsPemTextIsTrustedForTheCertificatesItIssued()
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions { Tls = ServerTls.StartTls, Certificate = certificates.Localhost });
        var options = Settings(server, tls: MailTls.Always);

        await SendExpectingFailureAsync<SmtpProtocolException>(options);
        options.TrustedCertificates = File.ReadAllText(certificates.AuthorityPath);
        await using (var transport = Transport(options))
        {
            await transport.SendAsync(Message());
        }

        Assert.True(Assert.Single(server.Messages).Tls);
    }

    [Fact]
    public async Task WithBothTheFileAndTheTextBothAreTrusted()
    {
        await using var selfSigned = await SmtpServerProcess.StartAsync(new SmtpServerOptions { Tls = ServerTls.StartTls, Certificate = certificates.SelfSigned });
        await using var privateCa = await SmtpServerProcess.StartAsync(new SmtpServerOptions { Tls = ServerTls.StartTls, Certificate = certificates.Localhost });

        foreach (var server in new[] { selfSigned, privateCa })
        {
            var options = Settings(server, tls: MailTls.Always, trusted: certificates.AuthorityPath);
            options.TrustedCertificates = File.ReadAllText(certificates.SelfSigned.CertificatePath);
            await using var transport = Transport(options);
            await transport.SendAsync(Message());
        }

        Assert.Single(selfSigned.Messages);
        Assert.Single(privateCa.Messages);
    }

    [Fact]
    public async Task PemTextWhoseLineBreaksArrivedAsBackslashNIsRead()
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions { Tls = ServerTls.StartTls, Certificate = certificates.SelfSigned });
        var options = Settings(server, tls: MailTls.Always);
        options.TrustedCertificates = File.ReadAllText(certificates.SelfSigned.CertificatePath).ReplaceLineEndings("\\n");

        Assert.Empty(MailOptionsValidator.Problems(options));
        await using var transport = Transport(options);
        await transport.SendAsync(Message());

        Assert.Single(server.Messages);
    }

    [Fact]
    public void TextThatHoldsNoCertificateIsASettingsProblemNamingTheSetting()
    {
        var options = new MailOptions { Host = "localhost", From = "noreply@example.com", TrustedCertificates = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----" };

        var problem = Assert.Single(MailOptionsValidator.Problems(options));

        Assert.StartsWith("Mail__TrustedCertificates ", problem, StringComparison.Ordinal);
    }
}
