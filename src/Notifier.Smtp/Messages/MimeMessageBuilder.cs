using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using MimeKit;

namespace Notifier.Smtp.Messages;

/// <summary>
/// Turns an <see cref="EmailMessage"/> into a MimeKit <see cref="MimeMessage"/>: From, To, Subject, Date,
/// Message-ID, the extra headers in order, and a UTF-8 text/plain body or multipart/alternative (text, then
/// HTML). MimeKit encodes and folds the headers (RFC 2047) and picks each body's transfer encoding when the
/// message is written: 8bit when the SMTP server offers 8BITMIME, quoted-printable or base64 otherwise.
/// </summary>
/// <remarks>
/// Every header value, display name, address and header name is checked before MimeKit sees any of it: a
/// control character anywhere (CR and LF included) is an <see cref="ArgumentException"/>, so text from an
/// event can never start a header of its own and a refused message leaves nothing half-built.
/// </remarks>
public static class MimeMessageBuilder
{
    private const string ReferencesHeader = "References";
    private const string InReplyToHeader = "In-Reply-To";
    private static readonly SearchValues<char> AddressSeparators = SearchValues.Create(" <>\"\\,;");

    /// <summary>Lines longer than this are never written as they are (RFC 5322's limit is 998 plus CRLF).</summary>
    private const int MaxLineLength = 78;

    private static readonly FormatOptions HeaderFormat = CreateHeaderFormat();

    /// <summary>CRLF line ends, as on the wire and in .eml files.</summary>
    private static readonly FormatOptions WireFormat = CreateWireFormat();

    /// <summary>Builds the message; its bodies' transfer encodings are chosen when it is sent or written.</summary>
    /// <exception cref="ArgumentException">A header value, display name or header name is not allowed.</exception>
    public static MimeMessage Build(EmailMessage message) => Build(message, out _);

    /// <summary>Builds the message and tells which Message-ID it carries (generated when the message has none).</summary>
    /// <exception cref="ArgumentException">A header value, display name or header name is not allowed.</exception>
    public static MimeMessage Build(EmailMessage message, out string messageId)
    {
        ArgumentNullException.ThrowIfNull(message);
        Validate(message);
        messageId = message.MessageId ?? CreateMessageId(message.From);

        // The headers go in already formatted when they are plain (what MimeKit would write for them anyway),
        // in MimeKit's order; the rest are left to MimeKit's own formatting below, in place.
        var headers = new HeaderList();
        var from = RawHeaders.Addresses("From", [message.From]);
        headers.Add(from is null ? RawHeaders.Placeholder(HeaderId.From) : RawHeaders.Create(HeaderId.From, "From", from));
        headers.Add(RawHeaders.Create(HeaderId.Date, "Date", RawHeaders.Date(message.Date ?? DateTimeOffset.Now)));
        var subject = RawHeaders.Unstructured(HeaderId.Subject, "Subject", message.Subject);
        headers.Add(subject is null ? new Header(Encoding.UTF8, HeaderId.Subject, message.Subject) : RawHeaders.Create(HeaderId.Subject, "Subject", subject));
        var id = RawHeaders.MessageId(messageId);
        headers.Add(id is null ? new Header(Encoding.UTF8, HeaderId.MessageId, "<>") : RawHeaders.Create(HeaderId.MessageId, "Message-Id", id));
        var to = RawHeaders.Addresses("To", message.To);
        headers.Add(to is null ? RawHeaders.Placeholder(HeaderId.To) : RawHeaders.Create(HeaderId.To, "To", to));
        foreach (var (name, value) in message.Headers ?? [])
        {
            headers.Add(Extra(name, value));
        }

        headers.Add(RawHeaders.Create(HeaderId.MimeVersion, "MIME-Version", RawHeaders.Identifier("1.0")));
        var mime = new MimeMessage(headers);
        if (from is null)
        {
            mime.From.Add(Address(message.From));
        }

        if (to is null)
        {
            if (message.To.Count == 0)
            {
                // RFC 5322's way of saying "no visible recipients" when the envelope carries them all.
                mime.To.Add(new GroupAddress("undisclosed-recipients"));
            }
            else
            {
                // One change, so MimeKit serialises the list once rather than once per address.
                mime.To.AddRange(message.To.Select(Address));
            }
        }

        if (id is null)
        {
            mime.MessageId = messageId;
        }

        foreach (var header in mime.Headers)
        {
            if ((header.Id is HeaderId.From or HeaderId.To or HeaderId.Subject || !IsStructural(header.Id)) && HasLongLine(header))
            {
                // MimeKit's default puts a whole encoded word after a long field name (an 85-character
                // Subject line); encoding for 72 keeps every header line within RFC 5322's 78.
                header.SetValue(HeaderFormat, Encoding.UTF8, header.Value);
            }
        }

        var text = new ScannedTextPart("plain", message.TextBody);
        mime.Body = message.HtmlBody is null ? text : new MultipartAlternative { text, new ScannedTextPart("html", message.HtmlBody) };
        return mime;
    }

    /// <summary>
    /// Writes the message as a 7-bit .eml (quoted-printable or base64 bodies, CRLF line ends), readable by any
    /// mail client; the outbox and <c>notifier render</c> use it.
    /// </summary>
    public static void WriteSevenBit(MimeMessage message, Stream output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(output);
        message.Prepare(EncodingConstraint.SevenBit, MaxLineLength);
        message.WriteTo(WireFormat, output, cancellationToken);
    }

    /// <summary>
    /// Writes the message as MailKit sends it to a server that offers 8BITMIME: prepared for 8bit, CRLF line ends,
    /// asynchronously (the parts' direct path). The app's warm-up uses it to compile that path before a real send.
    /// </summary>
    public static Task WriteEightBitAsync(MimeMessage message, Stream output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(output);
        message.Prepare(EncodingConstraint.EightBit);
        return message.WriteToAsync(WireFormat, output, cancellationToken);
    }

    /// <summary>The whole message as a 7-bit .eml (tests, the outbox, <c>notifier render</c>).</summary>
    /// <exception cref="ArgumentException">A header value, display name or header name is not allowed.</exception>
    public static byte[] ToArray(EmailMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        using var output = new MemoryStream(4096 + (message.TextBody.Length + (message.HtmlBody?.Length ?? 0)) * 11 / 10);
        using var mime = Build(message);
        WriteSevenBit(mime, output);
        return output.ToArray();
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

    private static FormatOptions CreateWireFormat()
    {
        var format = FormatOptions.Default.Clone();
        format.NewLineFormat = NewLineFormat.Dos;
        format.EnsureNewLine = true;
        return format;
    }

    private static FormatOptions CreateHeaderFormat()
    {
        var format = FormatOptions.Default.Clone();
        format.MaxLineLength = 72;
        return format;
    }

    /// <summary>Whether a line of the header as MimeKit folded it is longer than 78 characters.</summary>
    private static bool HasLongLine(Header header)
    {
        var raw = header.RawValue;
        var start = 0;
        var offset = header.Field.Length + 1;
        while (start < raw.Length)
        {
            var end = Array.IndexOf(raw, (byte)'\n', start);
            var length = (end < 0 ? raw.Length : end) - start + offset;
            if (length > MaxLineLength + 1)
            {
                return true;
            }

            offset = 0;
            start = end < 0 ? raw.Length : end + 1;
        }

        return false;
    }

    /// <summary>An extra header, formatted by us when plain, by MimeKit otherwise.</summary>
    private static Header Extra(string name, string value)
    {
        var id = RawHeaders.IdOf(name);
        var raw = id switch
        {
            HeaderId.InReplyTo or HeaderId.OriginalMessageId or HeaderId.ResentMessageId => RawHeaders.Identifier(value),
            HeaderId.References => RawHeaders.References(name, value),
            _ => RawHeaders.Unstructured(id, name, value),
        };
        return raw is null ? new Header(Encoding.UTF8, name, value) : RawHeaders.Create(id, name, raw);
    }

    private static bool IsStructural(HeaderId id) => id is HeaderId.Date or HeaderId.MessageId or HeaderId.References or HeaderId.InReplyTo;

    private static MailboxAddress Address(Mailbox mailbox) => new(mailbox.DisplayName ?? "", mailbox.Address);

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
}
