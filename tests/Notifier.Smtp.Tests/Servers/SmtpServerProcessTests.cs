using System.Net.Sockets;
using System.Text;

namespace Notifier.Smtp.Tests.Servers;

/// <summary>
/// The harness itself, checked with a hand-written SMTP conversation (no client of ours, no swaks): if the
/// recording were wrong, every integration test built on it could pass for the wrong reason.
/// </summary>
public sealed class SmtpServerProcessTests
{
    [Fact]
    public async Task RecordsCommandsEnvelopeAndRawDataOfAHandWrittenConversation()
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions { Faults = ["refuse-rcpt=nobody@example.com"] });
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", server.Port);
        var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.ASCII);

        Assert.StartsWith("220 ", await reader.ReadLineAsync(), StringComparison.Ordinal);
        await SendAsync(stream, "EHLO harness.test");
        while ((await reader.ReadLineAsync())!.StartsWith("250-", StringComparison.Ordinal))
        {
        }

        await SendAsync(stream, "MAIL FROM:<sender@example.com>");
        Assert.StartsWith("250", await reader.ReadLineAsync(), StringComparison.Ordinal);
        await SendAsync(stream, "RCPT TO:<nobody@example.com>");
        Assert.StartsWith("550 5.1.1", await reader.ReadLineAsync(), StringComparison.Ordinal);
        await SendAsync(stream, "RCPT TO:<someone@example.com>");
        Assert.StartsWith("250", await reader.ReadLineAsync(), StringComparison.Ordinal);
        await SendAsync(stream, "DATA");
        Assert.StartsWith("354", await reader.ReadLineAsync(), StringComparison.Ordinal);
        await SendAsync(stream, "Subject: hi\r\n\r\n..leading dot\r\nbody\r\n.");
        Assert.StartsWith("250", await reader.ReadLineAsync(), StringComparison.Ordinal);
        await SendAsync(stream, "QUIT");
        Assert.StartsWith("221", await reader.ReadLineAsync(), StringComparison.Ordinal);

        var message = Assert.Single(server.Messages);
        Assert.Equal("sender@example.com", message.MailFrom);
        Assert.Equal(["someone@example.com"], message.RcptTos);
        Assert.Equal("Subject: hi\r\n\r\n.leading dot\r\nbody\r\n", Encoding.ASCII.GetString(message.Bytes));
        Assert.False(message.Tls);
        var session = Assert.Single(await server.WaitForSessionsAsync(s => s.Count == 1 && s[0].Ended is not null));
        Assert.True(session.MailFromSent);
        Assert.Equal(
            ["EHLO harness.test", "MAIL FROM:<sender@example.com>", "RCPT TO:<nobody@example.com>", "RCPT TO:<someone@example.com>", "DATA", "QUIT"],
            session.Commands);
        Assert.Equal("QUIT", session.Ended);
    }

    [Fact]
    public async Task ReportsThatNoMailFromWasSentWhenTheClientOnlyGreets()
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions());
        using (var client = new TcpClient())
        {
            await client.ConnectAsync("127.0.0.1", server.Port);
            var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.ASCII);
            await reader.ReadLineAsync();
            await SendAsync(stream, "EHLO harness.test");
            while ((await reader.ReadLineAsync())!.StartsWith("250-", StringComparison.Ordinal))
            {
            }
        }

        var sessions = await server.WaitForSessionsAsync(s => s.Count == 1 && s[0].Ended is not null);
        Assert.Equal(["EHLO harness.test"], Assert.Single(sessions).Commands);
        Assert.False(server.MailFromEverSent);
    }

    [Fact]
    public async Task FailsInsteadOfSkippingWhenTheServerCannotStart()
    {
        // A certificate that does not exist makes the script exit before READY: the start must throw, with
        // the server's own explanation, so a broken environment fails the run rather than hiding tests.
        var options = new SmtpServerOptions { Tls = ServerTls.StartTls, Certificate = new PemCertificate("/nonexistent/cert.pem", "/nonexistent/key.pem") };

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => SmtpServerProcess.StartAsync(options));

        Assert.Contains("exited before it was ready", error.Message, StringComparison.Ordinal);
        Assert.Contains("nonexistent", error.Message, StringComparison.Ordinal);
    }

    private static Task SendAsync(NetworkStream stream, string line) =>
        stream.WriteAsync(Encoding.ASCII.GetBytes(line + "\r\n")).AsTask();
}
