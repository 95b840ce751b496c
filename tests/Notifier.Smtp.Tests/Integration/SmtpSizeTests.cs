using System.Globalization;
using Notifier.Smtp.Messages;
using Notifier.Smtp.Tests.Servers;
using static Notifier.Smtp.Tests.Integration.IntegrationSupport;

namespace Notifier.Smtp.Tests.Integration;

/// <summary>
/// SIZE against a real server that advertises it (aiosmtpd with a limit): the size MAIL FROM declares is the
/// exact number of bytes the server then receives (counted without writing the message twice), and a message
/// over the limit is refused by the client before MAIL FROM.
/// </summary>
[Trait("Category", "Integration")]
public sealed class SmtpSizeTests
{
    private const int Limit = 20_000;

    public static TheoryData<string, string, string?> Messages => new()
    {
        { "8bit text and HTML", "Grüße aus Zürich\nSecond line\n", "<p>Grüße</p>\n" },
        { "ASCII text only", "Hello\nworld\n", null },
        { "quoted-printable (a line too long for 8bit)", "start " + new string('x', 1200) + "\nend\n", "<p>é</p>" },
        { "dots to stuff", ".\n..\n.leading dot\n", "<p>.</p>\n.\n" },
        { "no final line end", "no line end", "<p>no line end</p>" },
    };

    [Theory]
    [MemberData(nameof(Messages))]
    public async Task TheDeclaredSizeIsExactlyWhatTheServerReceives(string kind, string text, string? html)
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions { SizeLimit = Limit });
        await using (var transport = Transport(Settings(server)))
        {
            await transport.SendAsync(With(text, html));
        }

        var received = Assert.Single(server.Messages);
        var mail = Assert.Single(Assert.Single(server.Sessions).Commands, c => c.StartsWith("MAIL", StringComparison.Ordinal));
        Assert.True(mail.Contains($"SIZE={received.Bytes.Length.ToString(CultureInfo.InvariantCulture)}", StringComparison.Ordinal), $"{kind}: {mail} for {received.Bytes.Length} bytes");
    }

    [Fact]
    public async Task AMessageOverTheLimitIsRefusedBeforeMailFrom()
    {
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions { SizeLimit = Limit });

        var error = await SendExpectingFailureAsync<SmtpException>(Settings(server), With(string.Concat(Enumerable.Repeat("Grüße aus Zürich\n", 1500)), "<p>x</p>"));

        AssertTold(error, "bytes but localhost accepts at most 20000 (SIZE): nothing was sent", "raise the server's message size limit or send a smaller message");
        var session = Assert.Single(server.Sessions);
        Assert.False(session.MailFromSent);
        Assert.Empty(server.Messages);
    }

    [Fact]
    public async Task AMessageJustUnderTheLimitIsSent()
    {
        // Find the size of a message, then send one that is exactly at the limit: the count must not be an
        // over-estimate either.
        await using var measuring = await SmtpServerProcess.StartAsync(new SmtpServerOptions { SizeLimit = Limit });
        var probe = With("x\n", null);
        await using (var transport = Transport(Settings(measuring)))
        {
            await transport.SendAsync(probe);
        }

        var overhead = Assert.Single(measuring.Messages).Bytes.Length - "x\r\n".Length;
        var exact = With(Lines(Limit - overhead), null);
        await using var server = await SmtpServerProcess.StartAsync(new SmtpServerOptions { SizeLimit = Limit });
        await using (var transport = Transport(Settings(server)))
        {
            await transport.SendAsync(exact);
        }

        Assert.Equal(Limit, Assert.Single(server.Messages).Bytes.Length);
    }

    /// <summary>ASCII lines short enough for 7bit whose CRLF form is exactly <paramref name="bytes"/> long.</summary>
    private static string Lines(int bytes)
    {
        var text = new System.Text.StringBuilder();
        for (; bytes > 80; bytes -= 78)
        {
            text.Append('y', 76).Append('\n');
        }

        return text.Append('z', bytes - 2).Append('\n').ToString();
    }

    private static EmailMessage With(string text, string? html) => new()
    {
        From = new Mailbox("noreply@example.com", "Code Review"),
        To = [Alice],
        Subject = "Size",
        TextBody = text,
        HtmlBody = html,
        MessageId = "size.test@notifier.example.com",
        Date = new DateTimeOffset(2026, 11, 30, 1, 0, 0, TimeSpan.Zero),
    };
}
