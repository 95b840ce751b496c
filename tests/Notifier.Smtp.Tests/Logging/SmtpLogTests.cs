using Notifier.Smtp.Options;
using Notifier.Smtp.Tests.Servers;
using Notifier.Smtp.Tests.Support;
using static Notifier.Smtp.Tests.Integration.IntegrationSupport;

namespace Notifier.Smtp.Tests.Logging;

/// <summary>What the SMTP client writes to the log for an admin, against a real server.</summary>
[Trait("Category", "Integration")]
public sealed class SmtpLogTests
{
    [Fact]
    public async Task IfAvailableMeetingAServerWithoutStartTlsLogsWarning2012AndStillSends()
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions());
        var log = new CapturingLogger<SmtpTransport>();
        await using var transport = new SmtpTransport(Settings(server, tls: MailTls.IfAvailable), log);

        await transport.SendAsync(Message());

        var warning = Assert.Single(log.Lines, l => l.StartsWith("Warning 2012 ", StringComparison.Ordinal));
        Assert.Contains($"localhost:{server.Port} does not offer STARTTLS; with Mail__Tls=IfAvailable mail goes unencrypted", warning, StringComparison.Ordinal);
        Assert.False(Assert.Single(server.Messages).Tls);
    }

    [Fact]
    public async Task Mail__TlsNoneMeansUnencryptedOnPurposeAndLogsNoWarning()
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions());
        var log = new CapturingLogger<SmtpTransport>();
        await using var transport = new SmtpTransport(Settings(server, tls: MailTls.None), log);

        await transport.SendAsync(Message());

        Assert.Single(server.Messages);
        Assert.DoesNotContain(log.Lines, l => l.Contains(" 2012 ", StringComparison.Ordinal));
    }
}
