using System.Text;
using Notifier.Smtp.Messages;

namespace Notifier.Smtp.Tests.Mime;

/// <summary>Messages and raw-output helpers shared by the MIME tests.</summary>
internal static class TestMessages
{
    public static readonly Mailbox Sender = new("noreply@example.com", "Code Review");

    public static EmailMessage Create(
        string subject = "Hello",
        string text = "Body\n",
        string? html = null,
        Mailbox? from = null,
        IReadOnlyList<Mailbox>? to = null,
        IReadOnlyList<KeyValuePair<string, string>>? headers = null,
        string? messageId = null) =>
        new()
        {
            From = from ?? Sender,
            To = to ?? [new Mailbox("jane@example.com", "Jane Doe")],
            Subject = subject,
            TextBody = text,
            HtmlBody = html,
            Headers = headers ?? [],
            MessageId = messageId,
            Date = new DateTimeOffset(2026, 11, 22, 3, 18, 17, TimeSpan.FromHours(1)),
        };

    /// <summary>The message as text (Latin-1 keeps every byte visible as one char, so lengths are octets).</summary>
    public static string Raw(EmailMessage message) => Encoding.Latin1.GetString(MimeMessageBuilder.ToArray(message));

    public static string HeaderBlock(string raw) => raw[..raw.IndexOf("\r\n\r\n", StringComparison.Ordinal)];

    /// <summary>Every physical line; the writer must only ever end lines with CRLF.</summary>
    public static string[] Lines(string raw) => raw.Split("\r\n");

    /// <summary>Names of header fields as they start lines (continuation lines start with whitespace).</summary>
    public static List<string> HeaderNames(string raw) =>
        Lines(HeaderBlock(raw)).Where(l => l.Length > 0 && l[0] is not (' ' or '\t')).Select(l => l[..l.IndexOf(':', StringComparison.Ordinal)]).ToList();
}
