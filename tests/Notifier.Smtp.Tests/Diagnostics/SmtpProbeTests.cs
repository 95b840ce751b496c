using System.Net;
using System.Text.Json;
using Notifier.Smtp.Diagnostics;
using Notifier.Smtp.Messages;
using Notifier.Smtp.Options;
using Notifier.Smtp.Tests.Support;
using static Notifier.Smtp.Tests.Support.SmtpTesting;

namespace Notifier.Smtp.Tests.Diagnostics;

public sealed class SmtpProbeTests
{
    [Fact]
    public async Task CheckReportsEveryStageWithTlsDetailsAndSendsNothing()
    {
        using var certificate = TestCertificates.SelfSigned("mail.example.com");
        await using var server = new LoopbackSmtpServer(async s =>
        {
            await s.SendAsync("220 mail.example.com ESMTP Postfix");
            await s.ExpectAsync("EHLO ");
            await s.SendAsync("250-mail.example.com", "250-STARTTLS", "250 PIPELINING");
            await s.ExpectAsync("STARTTLS");
            await s.SendAsync("220 2.0.0 Ready to start TLS");
            await s.StartTlsAsync(certificate);
            await s.ExpectAsync("EHLO ");
            await s.SendAsync("250-mail.example.com", "250-PIPELINING", "250-SIZE 10240000", "250 AUTH PLAIN LOGIN");
            await s.ExpectAsync("AUTH PLAIN ");
            await s.SendAsync("235 2.7.0 Authentication successful");
            await s.QuitAsync();
        });
        var options = TestOptions(o =>
        {
            o.Tls = MailTls.Always;
            o.Username = "probe-user";
            o.Password = "probe-password";
            o.TrustedCertificatesPath = TestCertificates.WritePem(certificate);
        });
        var seen = new List<SmtpStage>();
        var probe = new SmtpProbe(null, null, null, server.Connect);

        var report = await probe.CheckAsync(options, new SyncProgress(s => seen.Add(s.Stage)), CancellationToken.None);

        Assert.True(report.Succeeded, report.Error?.Message);
        Assert.Equal([SmtpStage.Connect, SmtpStage.Ehlo, SmtpStage.Tls, SmtpStage.Ehlo, SmtpStage.Auth, SmtpStage.Quit], report.Stages.Select(s => s.Stage));
        Assert.Equal(report.Stages.Select(s => s.Stage), seen);
        Assert.All(report.Stages, s => Assert.True(s.Succeeded));
        Assert.Equal("220 mail.example.com ESMTP Postfix", report.Greeting);
        Assert.Equal("CN=mail.example.com", report.Tls!.Subject);
        Assert.Equal(64 + 31, report.Tls.Sha256Fingerprint.Length);
        Assert.Contains("SIZE 10240000", report.Extensions);
        Assert.Equal(["PLAIN", "LOGIN"], report.AuthMechanismsOffered);
        Assert.Equal("PLAIN", report.AuthMechanismUsed);
        Assert.Equal("221 bye", report.Stages[^1].ServerReply);
        Assert.DoesNotContain(server.Received, l => l.StartsWith("MAIL", StringComparison.Ordinal));
        var text = JsonSerializer.Serialize(report with { Error = null });
        Assert.DoesNotContain("probe-password", text, StringComparison.Ordinal);
        Assert.DoesNotContain("probe-user", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendTestReportsMailRcptAndDataWithTheServerReplies()
    {
        var server = new TranscriptStream().Greet("PIPELINING")
            .Expect("MAIL FROM:<noreply@example.com>").Reply("250 2.1.0 Ok")
            .Expect("RCPT TO:<jane@example.com>").Reply("250 2.1.5 Ok")
            .Expect("DATA").Reply("354 End data with <CR><LF>.<CR><LF>")
            .ExpectContent().Reply("250 2.0.0 Ok: queued as 4ABC")
            .Expect("QUIT").Reply("221 2.0.0 Bye");
        var probe = new SmtpProbe(null, null, null, (_, _, _) => ValueTask.FromResult<Stream>(server));

        var report = await probe.RunAsync(TestOptions(), From, [Jane], Message(), null, CancellationToken.None);

        server.AssertCompleted();
        Assert.True(report.Succeeded);
        Assert.Equal(
            [SmtpStage.Connect, SmtpStage.Ehlo, SmtpStage.Auth, SmtpStage.MailFrom, SmtpStage.RcptTo, SmtpStage.Data, SmtpStage.Quit],
            report.Stages.Select(s => s.Stage));
        Assert.Equal("250 2.1.5 Ok", report.Stages.Single(s => s.Stage == SmtpStage.RcptTo).ServerReply);
        Assert.Equal("250 2.0.0 Ok: queued as 4ABC", report.Stages.Single(s => s.Stage == SmtpStage.Data).ServerReply);
        Assert.Equal("250 2.0.0 Ok: queued as 4ABC", report.SendResult!.ServerReply);
        Assert.Null(report.Tls);
        Assert.Null(report.AuthMechanismUsed);
    }

    [Fact]
    public async Task SendTestWritesTheEmailMessage()
    {
        var server = new TranscriptStream().Greet("PIPELINING")
            .AcceptMessage()
            .Expect("QUIT").Reply("221 bye");
        var probe = new SmtpProbe(null, null, null, (_, _, _) => ValueTask.FromResult<Stream>(server));
        var message = new EmailMessage { From = From, To = [Jane], Subject = "Notifier test", TextBody = "It works." };

        var report = await probe.SendTestAsync(TestOptions(), message);

        server.AssertCompleted();
        Assert.True(report.Succeeded);
        Assert.Contains("Subject: Notifier test\r\n", server.Messages.Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FailureNamesTheStageTheMessageAndTheHint()
    {
        var server = new TranscriptStream().Greet("PIPELINING").Expect("QUIT").Reply("221 bye");
        var probe = new SmtpProbe(null, null, null, (_, _, _) => ValueTask.FromResult<Stream>(server));

        var report = await probe.CheckAsync(TestOptions(o => o.Tls = MailTls.Always), null, CancellationToken.None);

        Assert.False(report.Succeeded);
        Assert.Equal(SmtpStage.Tls, report.FailedStage);
        Assert.Equal("the server does not offer STARTTLS and Mail__Tls=Always: nothing was sent", report.Error!.Message);
        var last = report.Stages[^1];
        Assert.False(last.Succeeded);
        Assert.StartsWith(report.Error.Message + " (", last.Summary, StringComparison.Ordinal);
        Assert.Contains("PIPELINING", report.Extensions);
    }

    [Fact]
    public async Task RefusedCredentialsFailTheAuthStageWithTheReply()
    {
        var server = new TranscriptStream().Greet("AUTH LOGIN")
            .Expect("AUTH LOGIN").Reply("334 VXNlcm5hbWU6")
            .ExpectPrefix("").Reply("334 UGFzc3dvcmQ6")
            .ExpectPrefix("").Reply("535 5.7.8 Error: authentication failed")
            .Expect("QUIT").Reply("221 bye");
        var probe = new SmtpProbe(null, null, null, (_, _, _) => ValueTask.FromResult<Stream>(server));
        var options = TestOptions(o =>
        {
            o.AllowPlaintextAuth = true;
            o.Username = "probe-user";
            o.Password = "probe-password";
        });

        var report = await probe.CheckAsync(options, null, CancellationToken.None);

        server.AssertCompleted();
        Assert.Equal(SmtpStage.Auth, report.FailedStage);
        Assert.IsType<SmtpAuthenticationException>(report.Error);
        Assert.Equal("535 5.7.8 Error: authentication failed", report.Stages[^1].ServerReply);
        Assert.DoesNotContain("probe-password", report.Error!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvalidSettingsAreReportedWithoutConnecting()
    {
        var connected = false;
        var probe = new SmtpProbe(null, null, null, (_, _, _) =>
        {
            connected = true;
            return ValueTask.FromResult(Stream.Null);
        });

        var report = await probe.CheckAsync(new MailOptions { Host = "mail.example.com", Username = "only-user" }, null, CancellationToken.None);

        Assert.False(connected);
        Assert.False(report.Succeeded);
        Assert.Contains("Mail__Username is set but Mail__Password is empty", report.Error!.Message, StringComparison.Ordinal);
        Assert.Contains("Mail__From is required", report.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnreachableServerFailsTheConnectStage()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var report = await new SmtpProbe().CheckAsync(TestOptions(o =>
        {
            o.Host = "127.0.0.1";
            o.Port = port;
        }));

        Assert.Equal(SmtpStage.Connect, report.FailedStage);
        Assert.IsType<SmtpProtocolException>(report.Error);
        Assert.Single(report.Stages);
    }

    private sealed class SyncProgress(Action<SmtpStageResult> report) : IProgress<SmtpStageResult>
    {
        public void Report(SmtpStageResult value) => report(value);
    }
}
