namespace Notifier.Smtp.Tests.Servers;

/// <summary>What Python's <c>email</c> package made of one message (see decode_messages.py).</summary>
public sealed record DecodedMessage
{
    public string? Error { get; init; }

    public string? Subject { get; init; }

    public List<DecodedAddress> From { get; init; } = [];

    public List<DecodedAddress> To { get; init; } = [];

    public string? MessageId { get; init; }

    public string? Date { get; init; }

    public List<List<string>> Headers { get; init; } = [];

    public List<string> RawHeaderNames { get; init; } = [];

    /// <summary>The To header as written, unfolded.</summary>
    public string RawTo { get; init; } = "";

    /// <summary>The To header decoded by email.header (RFC 2047 rules for adjacent encoded words).</summary>
    public string ToRfc2047 { get; init; } = "";

    public string ContentType { get; init; } = "";

    public bool IsMultipart { get; init; }

    public List<DecodedPart> Parts { get; init; } = [];

    public string? Text { get; init; }

    public string? Html { get; init; }

    public List<string> Defects { get; init; } = [];

    public int LongestLine { get; init; }

    public int LongestHeaderLine { get; init; }

    public int BareLineBreaks { get; init; }

    public bool SevenBit { get; init; }

    /// <summary>The value of the first header called <paramref name="name"/>, decoded; null when absent.</summary>
    public string? Header(string name) =>
        Headers.FirstOrDefault(h => string.Equals(h[0], name, StringComparison.OrdinalIgnoreCase))?[1];

    /// <summary>The text body with CRLF read as LF (the wire form), for comparing with what was sent.</summary>
    public string? TextLf => Text?.Replace("\r\n", "\n", StringComparison.Ordinal);

    public string? HtmlLf => Html?.Replace("\r\n", "\n", StringComparison.Ordinal);
}

