using System.Diagnostics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Notifier.Smtp.Diagnostics;
using Notifier.Smtp.Options;
using Notifier.Smtp.Tests.Servers;
using static Notifier.Smtp.Tests.Integration.IntegrationSupport;

namespace Notifier.Smtp.Tests.Integration;

/// <summary>
/// What <c>notifier check-smtp</c> and <c>notifier send-test</c> report (SmtpProbe) against real servers: each
/// stage, the TLS and AUTH details, and for a failure the stage it stopped at with advice for the admin.
/// </summary>
[Trait("Category", "Integration")]
public sealed class SmtpProbeTests(ServerCertificates certificates) : IClassFixture<ServerCertificates>
{
    [Fact]
    public async Task CheckReportsBannerTlsCertificateAndAuthWithoutSendingAnything()
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions { Tls = ServerTls.StartTls, Certificate = certificates.Localhost, Auth = Credentials });
        var seen = new List<SmtpStageResult>();

        var report = await new SmtpProbe().CheckAsync(
            Settings(server, tls: MailTls.Always, authenticate: true, trusted: certificates.AuthorityPath), new SynchronousProgress(seen));

        Assert.True(report.Succeeded, report.Error?.Message);
        Assert.Contains("aiosmtpd test server", report.Greeting, StringComparison.Ordinal);
        Assert.NotNull(report.Tls);
        Assert.True(report.Tls.ProtocolName is "TLS 1.2" or "TLS 1.3", report.Tls.ProtocolName);
        Assert.Contains("localhost", report.Tls.DnsNames);
        Assert.Equal("CN=Notifier Test CA", report.Tls.Issuer);
        Assert.Contains("PLAIN", report.AuthMechanismsOffered);
        Assert.Contains("LOGIN", report.AuthMechanismsOffered);
        Assert.NotNull(report.AuthMechanismUsed);
        Assert.Null(report.SendResult);
        foreach (var stage in new[] { SmtpStage.Connect, SmtpStage.Tls, SmtpStage.Ehlo, SmtpStage.Auth, SmtpStage.Quit })
        {
            Assert.Contains(seen, s => s.Stage == stage);
        }

        Assert.DoesNotContain(seen, s => s.Stage is SmtpStage.MailFrom or SmtpStage.RcptTo or SmtpStage.Data);
        Assert.All(seen, s => Assert.True(s.Succeeded, s.Summary));
        Assert.DoesNotContain(Password, string.Join("\n", seen.Select(s => s.Summary + s.ServerReply)), StringComparison.Ordinal);

        var session = Assert.Single(await server.WaitForSessionsAsync(s => s.Count == 1 && s[0].Ended is not null));
        Assert.False(session.MailFromSent);
        Assert.Equal(User, session.AuthenticatedAs);
        Assert.Equal("QUIT", session.Ended);
    }

    [Fact]
    public async Task CheckReportsTheCipherSuiteTheCertificatesSubjectValidityAndSha256TheExtensionsAndEachStagesDuration()
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions { Tls = ServerTls.StartTls, Certificate = certificates.Localhost, Auth = Credentials });
        using var presented = X509Certificate2.CreateFromPem(File.ReadAllText(certificates.Localhost.CertificatePath));
        var watch = Stopwatch.StartNew();

        var report = await new SmtpProbe().CheckAsync(Settings(server, tls: MailTls.Always, authenticate: true, trusted: certificates.AuthorityPath));
        watch.Stop();

        Assert.True(report.Succeeded, report.Error?.Message);
        var tls = Assert.IsType<SmtpTlsInfo>(report.Tls);
        Assert.NotEqual(default, tls.CipherSuite);
        Assert.StartsWith("TLS_", tls.CipherSuite.ToString(), StringComparison.Ordinal);
        Assert.Equal("CN=localhost", tls.Subject);
        Assert.Equal(new DateTimeOffset(presented.NotBefore.ToUniversalTime()), tls.NotBefore);
        Assert.Equal(new DateTimeOffset(presented.NotAfter.ToUniversalTime()), tls.NotAfter);
        Assert.Equal(string.Join(':', Convert.ToHexString(SHA256.HashData(presented.RawData)).Chunk(2).Select(pair => new string(pair))), tls.Sha256Fingerprint);

        // The extensions of the EHLO after STARTTLS, as the server wrote them.
        Assert.Contains("8BITMIME", report.Extensions);
        Assert.Contains("SIZE 33554432", report.Extensions);
        Assert.Contains(report.Extensions, e => e.StartsWith("AUTH ", StringComparison.Ordinal) && e.Contains("PLAIN", StringComparison.Ordinal));
        Assert.DoesNotContain("STARTTLS", report.Extensions);

        Assert.All(report.Stages, s => Assert.True(s.Elapsed > TimeSpan.Zero, $"{s.Stage} took {s.Elapsed}"));
        Assert.True(report.Stages.Sum(s => s.Elapsed.Ticks) <= watch.Elapsed.Ticks, $"the stages add up to more than the {watch.Elapsed} the check took");
    }

    [Fact]
    public async Task IfAvailableWithoutStartTlsSucceedsWithAWarningThatMailGoesUnencrypted()
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions());

        var report = await new SmtpProbe().SendTestAsync(Settings(server, tls: MailTls.IfAvailable), Message());

        Assert.True(report.Succeeded, report.Error?.Message);
        Assert.Null(report.Tls);
        var warning = Assert.Single(report.Warnings);
        Assert.Contains($"localhost:{server.Port} does not offer STARTTLS", warning, StringComparison.Ordinal);
        Assert.Contains("unencrypted", warning, StringComparison.Ordinal);
        Assert.Contains("Mail__Tls=Always", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoWarningWhenTheServerOffersStartTlsOrWhenTlsIsTurnedOff()
    {
        await using var tlsServer = await SmtpServerProcess.StartAsync(new SmtpServerOptions { Tls = ServerTls.StartTls, Certificate = certificates.Localhost });
        await using var plainServer = await SmtpServerProcess.StartAsync(new SmtpServerOptions());

        var encrypted = await new SmtpProbe().CheckAsync(Settings(tlsServer, tls: MailTls.IfAvailable, trusted: certificates.AuthorityPath));
        var chosen = await new SmtpProbe().CheckAsync(Settings(plainServer, tls: MailTls.None));

        Assert.True(encrypted.Succeeded, encrypted.Error?.Message);
        Assert.NotNull(encrypted.Tls);
        Assert.Empty(encrypted.Warnings);
        Assert.True(chosen.Succeeded, chosen.Error?.Message);
        Assert.Empty(chosen.Warnings);
    }

    [Fact]
    public async Task SendTestDeliversThroughEveryStageAndReportsTheServersReply()
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions { Tls = ServerTls.Smtps, Certificate = certificates.Localhost });
        var seen = new List<SmtpStageResult>();

        var report = await new SmtpProbe().SendTestAsync(
            Settings(server, MailProtocol.Smtps, trusted: certificates.AuthorityPath), Message("Notifier test email"), new SynchronousProgress(seen));

        Assert.True(report.Succeeded, report.Error?.Message);
        Assert.NotNull(report.SendResult);
        Assert.Equal([Alice], report.SendResult.Accepted);
        foreach (var stage in new[] { SmtpStage.Connect, SmtpStage.Tls, SmtpStage.Ehlo, SmtpStage.MailFrom, SmtpStage.RcptTo, SmtpStage.Data, SmtpStage.Quit })
        {
            Assert.Contains(seen, s => s.Stage == stage && s.Succeeded);
        }

        Assert.Contains(seen, s => s.Stage == SmtpStage.Data && (s.ServerReply ?? "").Contains("queued", StringComparison.Ordinal));
        var received = Assert.Single(server.Messages);
        Assert.True(received.Tls);
        Assert.Equal("Notifier test email", (await PythonEmailParser.DecodeAsync(received.Bytes)).Subject);
    }

    [Fact]
    public async Task SendTestReportsARefusalAfterTheContentAtTheDataStageWithTheServersReply()
    {
        // MailKit sends RSET after the refusal; the failure still belongs to DATA, not to a new MAIL FROM.
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions { Faults = ["data-451"] });

        var report = await new SmtpProbe().SendTestAsync(Settings(server, tls: MailTls.None), Message());

        Assert.Equal(SmtpStage.Data, report.FailedStage);
        var refused = Assert.IsType<SmtpCommandException>(report.Error);
        AssertTold(refused, "refused the message after DATA: 451 4.3.0 Error: queue file write error", "Notifier does not retry");
        var last = report.Stages[^1];
        Assert.Equal(SmtpStage.Data, last.Stage);
        Assert.False(last.Succeeded);
        Assert.Equal("451 4.3.0 Error: queue file write error", last.ServerReply);
        Assert.Contains("RSET", Assert.Single(server.Sessions).Commands);
    }

    [Fact]
    public async Task SendTestStopsAtTheTlsStageWhenAlwaysMeetsAServerWithoutStartTls()
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions { Tls = ServerTls.StartTls, Certificate = certificates.Localhost, Faults = ["no-starttls"] });

        var report = await new SmtpProbe().SendTestAsync(Settings(server, tls: MailTls.Always), Message());

        Assert.False(report.Succeeded);
        Assert.Equal(SmtpStage.Tls, report.FailedStage);
        AssertTold(report.Error!, "STARTTLS", "Mail__Tls");
        Assert.Null(report.SendResult);
        Assert.False(server.MailFromEverSent);
    }

    [Fact]
    public async Task SendTestStopsAtTheAuthStageWhenTheServerRefusesTheCredentials()
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions
        {
            Tls = ServerTls.StartTls,
            Certificate = certificates.Localhost,
            Auth = Credentials,
            Faults = ["auth-fail"],
        });
        var seen = new List<SmtpStageResult>();

        var report = await new SmtpProbe().SendTestAsync(
            Settings(server, tls: MailTls.Always, authenticate: true, trusted: certificates.AuthorityPath), Message(), new SynchronousProgress(seen));

        Assert.Equal(SmtpStage.Auth, report.FailedStage);
        AssertTold(report.Error!, "535", "Mail__Username");
        Assert.Contains(seen, s => s.Stage == SmtpStage.Auth && !s.Succeeded);
        Assert.DoesNotContain(Password, string.Join("\n", seen.Select(s => s.Summary + s.ServerReply)), StringComparison.Ordinal);
        Assert.False(server.MailFromEverSent);
    }

    /// <summary>Progress&lt;T&gt; posts to the thread pool; the probe's stages are wanted in order and at once.</summary>
    private sealed class SynchronousProgress(List<SmtpStageResult> seen) : IProgress<SmtpStageResult>
    {
        public void Report(SmtpStageResult value) => seen.Add(value);
    }
}
