using Notifier.Smtp.Messages;
using Notifier.Smtp.Options;
using Notifier.Smtp.Tests.Servers;
using static Notifier.Smtp.Tests.Integration.IntegrationSupport;

namespace Notifier.Smtp.Tests.Integration;

/// <summary>
/// Hard content through the whole path (MIME writer, dot-stuffing, TLS, a real server that removes the
/// dot-stuffing again), read back by Python's email package: it must decode to exactly what was sent.
/// </summary>
[Trait("Category", "Integration")]
public sealed class MessageContentTests(ServerCertificates certificates) : IClassFixture<ServerCertificates>
{
    private static readonly string LongLine = string.Concat(Enumerable.Range(0, 120).Select(i => $"word{i:D3} ")) + "end";

    public static TheoryData<string, string, string, string> Contents => new()
    {
        {
            "mostly ASCII (quoted-printable)",
            "Re: [PROJ/repo] Pull request #42: Améliorer la page d'accueil — naïve café",
            "First line\n.\n.starts with a dot\n..two dots\n" + LongLine + "\nTrailing space \nTab\tand = sign\nעברית and العربية inline\nlast line without break",
            "<p>" + LongLine + "</p>\n.\n<p>é</p>\n"
        },
        {
            "mostly non-ASCII (base64)",
            "日本語の件名：プルリクエスト #42 が承認されました 🎉 مرحبا بالعالم",
            string.Concat(Enumerable.Repeat("プルリクエストが承認されました。😀👩‍💻 שלום עולם\n", 40)) + ".\n" + new string('語', 1200) + "\n",
            "<p dir=\"rtl\">" + string.Concat(Enumerable.Repeat("مرحبا بالعالم ", 120)) + "</p>\n"
        },
    };

    [Theory]
    [MemberData(nameof(Contents))]
    public async Task PythonReadsBackTheSameSubjectAndBodiesFromWhatTheServerReceived(string kind, string subject, string text, string html)
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions { Tls = ServerTls.StartTls, Certificate = certificates.Localhost });
        var to = new Mailbox("reviewer@example.com", "Zoë Ångström-李");
        var message = new EmailMessage
        {
            From = new Mailbox("noreply@example.com", "Code Review (Bitbucket)"),
            To = [to],
            Subject = subject,
            TextBody = text,
            HtmlBody = html,
            Headers = [new("X-Notifier-Reason", "reviewer — “quoted”"), new("Auto-Submitted", "auto-generated")],
        };

        await using (var transport = Transport(Settings(server, tls: MailTls.Always, trusted: certificates.AuthorityPath)))
        {
            await transport.SendAsync(message);
        }

        var received = Assert.Single(server.Messages);
        Assert.True(received.Tls, kind);
        var decoded = await PythonEmailParser.DecodeAsync(received.Bytes);
        Assert.Empty(decoded.Defects);
        Assert.Equal(subject, decoded.Subject);
        Assert.Equal(text, decoded.TextLf);
        Assert.Equal(html, decoded.HtmlLf);
        Assert.Equal("reviewer — “quoted”", decoded.Header("X-Notifier-Reason"));
        Assert.Equal(to.DisplayName + " <reviewer@example.com>", decoded.ToRfc2047);
        Assert.Equal("Code Review (Bitbucket)", Assert.Single(decoded.From).Name);
        // aiosmtpd offers 8BITMIME: a UTF-8 body whose lines fit travels as it is, declared on MAIL FROM
        // (MimeKit keeps base64 for bodies with lines too long for 8bit).
        var mail = Assert.Single(Assert.Single(server.Sessions).Commands, c => c.StartsWith("MAIL", StringComparison.Ordinal));
        Assert.Equal(!decoded.SevenBit, mail.Contains("BODY=8BITMIME", StringComparison.Ordinal));
        if (kind.Contains("mostly ASCII", StringComparison.Ordinal))
        {
            Assert.False(decoded.SevenBit, "the text body should travel 8bit");
        }

        Assert.Equal(0, decoded.BareLineBreaks);
        Assert.InRange(decoded.LongestLine, 1, 998);
        var headerBlock = System.Text.Encoding.UTF8.GetString(received.Bytes)[..System.Text.Encoding.UTF8.GetString(received.Bytes).IndexOf("\r\n\r\n", StringComparison.Ordinal)];
        Assert.True(decoded.LongestHeaderLine is >= 1 and <= 78, $"{decoded.LongestHeaderLine}: {headerBlock.Replace("\r", "<CR>", StringComparison.Ordinal)}");
    }
}
