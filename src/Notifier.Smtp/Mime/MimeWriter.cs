using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Notifier.Smtp.Messages;
using Notifier.Smtp.Protocol;

namespace Notifier.Smtp.Mime;

/// <summary>
/// Turns an <see cref="EmailMessage"/> into RFC 5322 / MIME bytes: CRLF line endings, header lines folded to
/// 78 characters, body lines at most 76, RFC 2047 encoded words for non-ASCII header text, UTF-8 bodies in
/// quoted-printable or base64, and multipart/alternative (text, then HTML) when there is an HTML body. The
/// output is 7-bit clean unless an address itself is non-ASCII (that needs SMTPUTF8), and is NOT dot-stuffed:
/// the SMTP client does that while sending.
/// </summary>
/// <remarks>
/// Every header value, display name, address and header name is checked before the first byte is written:
/// a control character anywhere (CR and LF included) is an <see cref="ArgumentException"/>, so text from an
/// event can never start a header of its own and a refused message leaves nothing half-written.
/// </remarks>
public static class MimeWriter
{
    private const string ReferencesHeader = "References";
    private const string InReplyToHeader = "In-Reply-To";
    private static readonly SearchValues<char> AddressSeparators = SearchValues.Create(" <>\"\\,;");

    /// <summary>Writes <paramref name="message"/> to <paramref name="output"/>.</summary>
    /// <exception cref="ArgumentException">A header value, display name or header name is not allowed.</exception>
    public static void WriteTo(EmailMessage message, IBufferWriter<byte> output) => WriteTo(message, output, out _);

    /// <summary>Writes <paramref name="message"/> and tells which Message-ID it carries (generated when the message has none).</summary>
    /// <exception cref="ArgumentException">A header value, display name or header name is not allowed.</exception>
    public static void WriteTo(EmailMessage message, IBufferWriter<byte> output, out string messageId)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(output);
        Validate(message);
        messageId = message.MessageId ?? CreateMessageId(message.From);

        var headers = new HeaderWriter(new MimeSink(output));

        WriteAddressHeader(ref headers, "From", [message.From]);
        WriteAddressHeader(ref headers, "To", message.To);

        headers.Begin("Subject");
        headers.Unstructured(message.Subject, keepLongWords: false);
        headers.End();

        Span<char> date = stackalloc char[40];
        headers.WriteSimple("Date", date[..FormatDate(message.Date ?? DateTimeOffset.Now, date)]);

        headers.Begin("Message-ID");
        headers.BeginToken(messageId.Length + 2);
        headers.Raw('<');
        headers.Raw(messageId);
        headers.Raw('>');
        headers.End();

        headers.WriteSimple("MIME-Version", "1.0");

        var extra = message.Headers ?? [];
        for (var h = 0; h < extra.Count; h++)
        {
            var (name, value) = extra[h];
            headers.Begin(name);
            headers.Unstructured(value, keepLongWords: IsIdentifierList(name));
            headers.End();
        }

        if (message.HtmlBody is null)
        {
            WriteTextPart(ref headers.Sink, message.TextBody, "text/plain"u8, closeWithBreak: true);
        }
        else
        {
            // "=_" never occurs in quoted-printable (a '=' is followed by hex digits or a line break) nor in
            // base64, so this boundary cannot appear inside either encoded part.
            Span<byte> boundary = stackalloc byte[2 + 9 + 32];
            "=_notifier"u8.CopyTo(boundary);
            boundary[10] = (byte)'_';
            Span<byte> random = stackalloc byte[16];
            RandomNumberGenerator.Fill(random);
            Convert.TryToHexStringLower(random, boundary[11..], out _);

            // Folded before the parameter: the line would be 91 characters long.
            headers.Sink.Write("Content-Type: multipart/alternative;\r\n boundary=\""u8);
            headers.Sink.Write(boundary);
            headers.Sink.Write("\"\r\n\r\n"u8);

            WriteDelimiter(ref headers.Sink, boundary, first: true);
            WriteTextPart(ref headers.Sink, message.TextBody, "text/plain"u8, closeWithBreak: false);
            WriteDelimiter(ref headers.Sink, boundary, first: false);
            WriteTextPart(ref headers.Sink, message.HtmlBody, "text/html"u8, closeWithBreak: false);
            headers.Sink.WriteCrlf();
            headers.Sink.Write("--"u8);
            headers.Sink.Write(boundary);
            headers.Sink.Write("--\r\n"u8);
        }

        headers.Sink.Flush();
    }

    /// <summary>The whole message as one array (tests, the outbox, small callers).</summary>
    public static byte[] ToArray(EmailMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        // Written into a rented buffer, then copied once into an array of the exact size: an ArrayBufferWriter
        // allocated its own (estimate-sized, sometimes grown) buffer per message besides that array. The sink
        // asks for 4 KB spans, so the estimate includes that much slack and the buffer rarely has to grow.
        var estimate = 4096 + 1024 + ((message.TextBody?.Length ?? 0) + (message.HtmlBody?.Length ?? 0)) * 3 / 2;
        using var buffer = new PooledBufferWriter(estimate);
        WriteTo(message, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A new globally unique id (without angle brackets) in the From address's domain.</summary>
    public static string CreateMessageId(Mailbox from)
    {
        ArgumentNullException.ThrowIfNull(from);
        var domain = from.Domain;
        if (!Ascii.IsValid(domain))
        {
            try
            {
                domain = new IdnMapping().GetAscii(domain);
            }
            catch (ArgumentException)
            {
                domain = "notifier.invalid";
            }
        }

        Span<byte> random = stackalloc byte[16];
        RandomNumberGenerator.Fill(random);
        return string.Concat(Convert.ToHexStringLower(random), "@", domain);
    }

    private static void Validate(EmailMessage message)
    {
        ArgumentNullException.ThrowIfNull(message.From);
        ArgumentNullException.ThrowIfNull(message.To);
        ArgumentNullException.ThrowIfNull(message.Subject);
        ArgumentNullException.ThrowIfNull(message.TextBody);

        CheckMailbox(message.From, "The From address");
        for (var i = 0; i < message.To.Count; i++)
        {
            ArgumentNullException.ThrowIfNull(message.To[i], nameof(message.To));
            CheckMailbox(message.To[i], "A To address");
        }

        HeaderText.CheckValue(message.Subject, "The subject");
        if (message.MessageId is not null)
        {
            HeaderText.CheckMessageId(message.MessageId);
        }

        var extra = message.Headers ?? [];
        for (var h = 0; h < extra.Count; h++)
        {
            var (name, value) = extra[h];
            HeaderText.CheckExtraHeaderName(name);
            ArgumentNullException.ThrowIfNull(value, name);
            HeaderText.CheckHeaderValue(value, name);
            if (IsIdentifierList(name))
            {
                // Identifiers are never encoded or split, so each must fit the 998-character line limit itself.
                foreach (var range in value.AsSpan().Split(' '))
                {
                    if (range.End.Value - range.Start.Value + name.Length + 2 > 998)
                    {
                        throw new ArgumentException($"The {name} header holds a word longer than an email line may be (998 characters).");
                    }
                }
            }
        }
    }

    private static void CheckMailbox(Mailbox mailbox, string what)
    {
        // Mailbox refuses these on construction already; checked again because this is the last gate.
        HeaderText.CheckValue(mailbox.Address, what);
        if (mailbox.Address.AsSpan().ContainsAny(AddressSeparators))
        {
            throw new ArgumentException($"{what} contains a space, bracket, quote or separator; it must be a bare local-part@domain.");
        }

        if (mailbox.DisplayName is not null)
        {
            HeaderText.CheckValue(mailbox.DisplayName, $"The display name of {what.ToLowerInvariant()}");
        }
    }

    private static bool IsIdentifierList(string name) =>
        string.Equals(name, ReferencesHeader, StringComparison.OrdinalIgnoreCase)
        || string.Equals(name, InReplyToHeader, StringComparison.OrdinalIgnoreCase);

    private static void WriteAddressHeader(ref HeaderWriter headers, string name, IReadOnlyList<Mailbox> mailboxes)
    {
        headers.Begin(name);
        if (mailboxes.Count == 0)
        {
            // RFC 5322's way of saying "no visible recipients" when the envelope carries them all.
            headers.Token("undisclosed-recipients:;");
        }

        for (var i = 0; i < mailboxes.Count; i++)
        {
            var last = i == mailboxes.Count - 1;
            headers.Mailbox(mailboxes[i], trailing: last ? 0 : 1);
            if (!last)
            {
                headers.Append(',');
            }
        }

        headers.End();
    }

    private static void WriteDelimiter(ref MimeSink sink, scoped ReadOnlySpan<byte> boundary, bool first)
    {
        if (!first)
        {
            sink.WriteCrlf();
        }

        sink.Write("--"u8);
        sink.Write(boundary);
        sink.WriteCrlf();
    }

    private static void WriteTextPart(ref MimeSink sink, string text, ReadOnlySpan<byte> mediaType, bool closeWithBreak)
    {
        var utf8 = BodyEncoding.RentUtf8(text, out var length);
        try
        {
            var body = utf8.AsSpan(0, length);
            var kind = BodyEncoding.Choose(body);
            sink.Write("Content-Type: "u8);
            sink.Write(mediaType);
            sink.Write("; charset=utf-8\r\nContent-Transfer-Encoding: "u8);
            sink.Write(BodyEncoding.HeaderName(kind));
            sink.Write("\r\n\r\n"u8);
            var endsWithBreak = BodyEncoding.Write(ref sink, body, kind);
            if (closeWithBreak && !endsWithBreak)
            {
                // A message ends with a line break; the SMTP client's terminating "." follows it.
                sink.WriteCrlf();
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(utf8);
        }
    }

    /// <summary>RFC 5322 date-time, e.g. <c>Sun, 22 Nov 2026 03:18:17 +0100</c>, culture-independent.</summary>
    private static int FormatDate(DateTimeOffset date, Span<char> target)
    {
        date.TryFormat(target, out var written, "ddd, dd MMM yyyy HH:mm:ss ", CultureInfo.InvariantCulture);
        var offset = date.Offset;
        target[written++] = offset < TimeSpan.Zero ? '-' : '+';
        offset = offset.Duration();
        offset.Hours.TryFormat(target[written..], out var hours, "00", CultureInfo.InvariantCulture);
        written += hours;
        offset.Minutes.TryFormat(target[written..], out var minutes, "00", CultureInfo.InvariantCulture);
        return written + minutes;
    }
}
