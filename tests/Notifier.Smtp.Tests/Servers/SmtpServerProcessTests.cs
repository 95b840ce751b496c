using System.Net.Sockets;
using System.Text;

namespace Notifier.Smtp.Tests.Servers;

/// <summary>
/// The harness itself, checked with a hand-written SMTP conversation (no client of ours, no swaks): if the
/// recording were wrong, every integration test built on it could pass for the wrong reason.
/// </summary>
[Trait("Category", "Integration")]
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
    public async Task RecordsWhichCommandsArrivedPipelinedBehindAnother()
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions { OfferPipelining = true });
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", server.Port);
        var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.ASCII);
        await reader.ReadLineAsync();
        await SendAsync(stream, "EHLO harness.test");
        var extensions = new List<string>();
        string line;
        while ((line = (await reader.ReadLineAsync())!).StartsWith("250-", StringComparison.Ordinal))
        {
            extensions.Add(line);
        }

        // One write, as a pipelining client sends them; then one RCPT on its own after the replies.
        await SendAsync(stream, "MAIL FROM:<sender@example.com>\r\nRCPT TO:<a@example.com>\r\nRCPT TO:<b@example.com>");
        for (var i = 0; i < 3; i++)
        {
            Assert.StartsWith("250", await reader.ReadLineAsync(), StringComparison.Ordinal);
        }

        await SendAsync(stream, "RCPT TO:<c@example.com>");
        Assert.StartsWith("250", await reader.ReadLineAsync(), StringComparison.Ordinal);

        Assert.Contains("250-PIPELINING", extensions);
        var session = Assert.Single(await server.WaitForSessionsAsync(s => s.Count == 1 && s[0].Commands.Count == 5));
        Assert.Equal([[], ["RCPT", "RCPT"], ["RCPT"], [], []], session.Waiting);
        Assert.Equal("127.0.0.1", session.PeerAddress);
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

    [Theory]
    [InlineData("user=notifier@contoso.com\u0001auth=Bearer token-2\u0001\u0001", "235 ", "accepted")]
    [InlineData("user=notifier@contoso.com\u0001auth=Bearer stale\u0001\u0001", "334 ", "refused token")]
    [InlineData("user=notifier@contoso.com\u0001auth=Bearer token-2\u0001", "535 5.7.8", "malformed: does not end with two ^A")]
    [InlineData("user=other@contoso.com\u0001auth=Bearer token-2\u0001\u0001", "535 5.7.8", "malformed: the user is not the mailbox or auth=Bearer does not follow it")]
    public async Task XOAuth2AcceptsOnlyTheExactPayloadWithAKnownToken(string payload, string reply, string recorded)
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions
        {
            XOAuth2Mailbox = "notifier@contoso.com",
            XOAuth2Tokens = ["token-1", "token-2"],
            AllowPlaintextAuth = true,
        });
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", server.Port);
        var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.ASCII);
        await reader.ReadLineAsync();
        await SendAsync(stream, "EHLO harness.test");
        var extensions = new List<string>();
        string line;
        while ((line = (await reader.ReadLineAsync())!).StartsWith("250-", StringComparison.Ordinal))
        {
            extensions.Add(line);
        }

        await SendAsync(stream, "AUTH XOAUTH2 " + Convert.ToBase64String(Encoding.UTF8.GetBytes(payload)));
        var answer = (await reader.ReadLineAsync())!;
        Assert.StartsWith(reply, answer, StringComparison.Ordinal);
        if (reply == "334 ")
        {
            // Exchange Online's error challenge: base64 JSON; the client answers with an empty line.
            Assert.Contains("\"status\": \"401\"", Encoding.UTF8.GetString(Convert.FromBase64String(answer[4..])), StringComparison.Ordinal);
            await SendAsync(stream, "");
            Assert.StartsWith("535 5.7.3", await reader.ReadLineAsync(), StringComparison.Ordinal);
        }

        Assert.Contains("250-AUTH XOAUTH2", extensions);
        var session = Assert.Single(await server.WaitForSessionsAsync(s => s.Count == 1 && s[0].XOAuth2 is not null));
        Assert.Equal(recorded, session.XOAuth2);
        Assert.Equal(recorded == "accepted" ? 2 : null, session.XOAuth2Token);
        Assert.Equal(["EHLO harness.test", "AUTH XOAUTH2"], session.Commands);
    }

    private static Task SendAsync(NetworkStream stream, string line) =>
        stream.WriteAsync(Encoding.ASCII.GetBytes(line + "\r\n")).AsTask();
}
