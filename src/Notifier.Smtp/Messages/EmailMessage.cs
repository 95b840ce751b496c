namespace Notifier.Smtp.Messages;

/// <summary>
/// One email as the rest of Notifier builds it: addresses, subject, a text body and an optional HTML body
/// (sent as multipart/alternative), and extra headers. MimeKit owns encoding and folding; values
/// here are plain Unicode text and must not contain CR, LF or other control characters (header values) —
/// the writer refuses them rather than let an event create a header.
/// </summary>
public sealed class EmailMessage
{
    public required Mailbox From { get; init; }

    /// <summary>Header recipients; also the SMTP envelope recipients unless <see cref="EnvelopeRecipients"/> is set.</summary>
    public required IReadOnlyList<Mailbox> To { get; init; }

    /// <summary>When set, RCPT TO goes to these instead of <see cref="To"/>.</summary>
    public IReadOnlyList<Mailbox>? EnvelopeRecipients { get; init; }

    public required string Subject { get; init; }

    public required string TextBody { get; init; }

    /// <summary>Optional HTML alternative; null sends text/plain only.</summary>
    public string? HtmlBody { get; init; }

    /// <summary>Without angle brackets, e.g. <c>1234.abcd@notifier.example.com</c>; generated when null.</summary>
    public string? MessageId { get; init; }

    /// <summary>The Date header; the time of writing when null.</summary>
    public DateTimeOffset? Date { get; init; }

    /// <summary>
    /// Extra headers in order (In-Reply-To, References, Auto-Submitted, List-Id, X-Notifier-*...). Names are
    /// RFC 5322 field names; values are unfolded Unicode text.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>The addresses RCPT TO will name.</summary>
    public IReadOnlyList<Mailbox> Recipients => EnvelopeRecipients ?? To;
}
