using System.Text;
using MimeKit;
using Notifier.Smtp.Messages;

namespace Notifier.Smtp.Tests.Mime;

/// <summary>
/// The oracle for the builder's headers: the same message made with MimeKit's own API only (address lists,
/// Subject, Date and MessageId setters, HeaderList.Add), re-encoded for 72 columns where a line passes 78, as
/// the builder did before it formatted plain values itself. Its body is a MimeKit text part with the same
/// text: the header tests compare the message headers only.
/// </summary>
internal static class MimeKitHeaders
{
    private static readonly FormatOptions Narrow = CreateNarrow();

    public static MimeMessage Build(EmailMessage message)
    {
        var mime = new MimeMessage();
        mime.From.Add(new MailboxAddress(message.From.DisplayName ?? "", message.From.Address));
        if (message.To.Count == 0)
        {
            mime.To.Add(new GroupAddress("undisclosed-recipients"));
        }

        foreach (var to in message.To)
        {
            mime.To.Add(new MailboxAddress(to.DisplayName ?? "", to.Address));
        }

        mime.Subject = message.Subject;
        mime.Date = message.Date!.Value;
        mime.MessageId = message.MessageId!;
        foreach (var (name, value) in message.Headers)
        {
            mime.Headers.Add(name, value);
        }

        foreach (var header in mime.Headers)
        {
            if ((header.Id is HeaderId.From or HeaderId.To or HeaderId.Subject
                    || header.Id is not (HeaderId.Date or HeaderId.MessageId or HeaderId.References or HeaderId.InReplyTo))
                && header.RawValue.Length > 0 && LongestLine(header) > 79)
            {
                header.SetValue(Narrow, Encoding.UTF8, header.Value);
            }
        }

        var body = new TextPart("plain");
        body.SetText(Encoding.UTF8, message.TextBody);
        mime.Body = body;
        return mime;
    }

    private static int LongestLine(Header header)
    {
        var lines = Encoding.Latin1.GetString(header.RawValue).Split('\n');
        lines[0] = header.Field + ":" + lines[0];
        return lines.Max(l => l.TrimEnd('\r').Length);
    }

    private static FormatOptions CreateNarrow()
    {
        var format = FormatOptions.Default.Clone();
        format.MaxLineLength = 72;
        return format;
    }
}
