using System.Buffers;
using System.Text;
using MimeKit;

namespace Notifier.Smtp.Messages;

/// <summary>
/// Header values as MimeKit would format them, made in one pass for the common plain case: printable ASCII that
/// needs no RFC 2047 word, plain display names and addresses, dot-atom message ids. MimeKit re-encodes, parses
/// back and re-folds every value it is given; for these values its result is the text itself (folded at spaces
/// for unstructured text), which is what these methods write. Every method returns null when the value is not
/// plain, and the builder then lets MimeKit format it, exactly as before.
/// </summary>
internal static class RawHeaders
{
    /// <summary>MimeKit's default line length, which every header is first formatted for.</summary>
    private const int MaxLineLength = 78;

    private static readonly ParserOptions Options = ParserOptions.Default;

    /// <summary>The line end MimeKit puts into raw values (its writers turn it into CRLF).</summary>
    private static readonly string NewLine = FormatOptions.Default.NewLineFormat == NewLineFormat.Dos ? "\r\n" : "\n";

    private static readonly SearchValues<char> Atext =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+/=?^_`{|}~-");

    /// <summary>Display-name characters MimeKit writes as they are (letters, digits, a few marks, single spaces).</summary>
    private static readonly SearchValues<char> NameText =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_' ");

    /// <summary>Address characters MimeKit writes as they are (a dot-atom local part and an LDH domain).</summary>
    private static readonly SearchValues<char> AddressText =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_+.@");

    private static readonly string[] WeekDays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

    private static readonly string[] Months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

    private static readonly Dictionary<string, HeaderId> Ids = CreateIds();

    /// <summary>The header ids MimeKit formats with its own rules rather than as unstructured text.</summary>
    private static readonly HashSet<HeaderId> Structured =
    [
        HeaderId.DispositionNotificationTo, HeaderId.ResentReplyTo, HeaderId.ResentSender, HeaderId.ResentFrom,
        HeaderId.ResentBcc, HeaderId.ResentCc, HeaderId.ResentTo, HeaderId.ReplyTo, HeaderId.Sender, HeaderId.From,
        HeaderId.Bcc, HeaderId.Cc, HeaderId.To, HeaderId.Received, HeaderId.OriginalMessageId, HeaderId.ResentMessageId,
        HeaderId.InReplyTo, HeaderId.MessageId, HeaderId.ContentId, HeaderId.References, HeaderId.ContentDisposition,
        HeaderId.ContentType, HeaderId.DispositionNotificationOptions, HeaderId.ArcAuthenticationResults,
        HeaderId.AuthenticationResults, HeaderId.ArcMessageSignature, HeaderId.ArcSeal, HeaderId.DkimSignature,
        HeaderId.ListArchive, HeaderId.ListHelp, HeaderId.ListOwner, HeaderId.ListPost, HeaderId.ListSubscribe,
        HeaderId.ListUnsubscribe,
    ];

    /// <summary>MimeKit's id for a field name (Unknown for one it does not know).</summary>
    public static HeaderId IdOf(string field) => Ids.GetValueOrDefault(field, HeaderId.Unknown);

    /// <summary>A header with a value already formatted; MimeKit only copies it out when writing.</summary>
    public static Header Create(HeaderId id, string field, string rawValue) =>
        new Raw(id, field, Encoding.UTF8.GetBytes(rawValue));

    /// <summary>An empty address header whose value MimeKit's address list fills in place.</summary>
    public static Header Placeholder(HeaderId id) => new Raw(id, id.ToHeaderName(), Encoding.ASCII.GetBytes(" " + NewLine));

    /// <summary>
    /// "Name &lt;local@domain&gt;, ..." on one line, when every name is plain ASCII words and every address plain;
    /// otherwise null.
    /// </summary>
    public static string? Addresses(string field, IReadOnlyList<Mailbox> mailboxes)
    {
        if (mailboxes.Count == 0)
        {
            return null;
        }

        var value = new StringBuilder(64);
        value.Append(' ');
        for (var i = 0; i < mailboxes.Count; i++)
        {
            var mailbox = mailboxes[i];
            if (!IsPlainAddress(mailbox.Address) || (mailbox.DisplayName is { } name && !IsPlainName(name)))
            {
                return null;
            }

            if (i > 0)
            {
                value.Append(", ");
            }

            if (mailbox.DisplayName is null)
            {
                value.Append(mailbox.Address);
            }
            else
            {
                value.Append(mailbox.DisplayName).Append(" <").Append(mailbox.Address).Append('>');
            }
        }

        if (field.Length + 1 + value.Length > MaxLineLength)
        {
            return null;
        }

        return value.Append(NewLine).ToString();
    }

    /// <summary>
    /// The Date value as MimeKit formats it (" Mon, 30 Nov 2026 03:10:22 +0000"), written digit by digit: MimeKit's
    /// <c>DateUtils.FormatDate</c> goes through composite formatting, about 1 % of the app's CPU per email. One
    /// difference on purpose: a negative offset with minutes is "-0330", where MimeKit writes "-03-30".
    /// </summary>
    public static string Date(DateTimeOffset date)
    {
        var offset = date.Offset;
        var minutes = (int)Math.Abs(offset.TotalMinutes);
        return string.Create(" Mon, 30 Nov 2026 03:10:22 +0000".Length + NewLine.Length, (date, minutes, negative: offset < TimeSpan.Zero), static (text, state) =>
        {
            var (d, offsetMinutes, negative) = state;
            text[0] = ' ';
            WeekDays[(int)d.DayOfWeek].CopyTo(text[1..]);
            ", ".CopyTo(text[4..]);
            Digits(text.Slice(6, 2), d.Day);
            text[8] = ' ';
            Months[d.Month - 1].CopyTo(text[9..]);
            text[12] = ' ';
            Digits(text.Slice(13, 4), d.Year);
            text[17] = ' ';
            Digits(text.Slice(18, 2), d.Hour);
            text[20] = ':';
            Digits(text.Slice(21, 2), d.Minute);
            text[23] = ':';
            Digits(text.Slice(24, 2), d.Second);
            text[26] = ' ';
            text[27] = negative ? '-' : '+';
            Digits(text.Slice(28, 2), offsetMinutes / 60);
            Digits(text.Slice(30, 2), offsetMinutes % 60);
            NewLine.CopyTo(text[32..]);
        });
    }

    /// <summary>Writes <paramref name="value"/> (not negative) zero-padded to the span's length.</summary>
    private static void Digits(Span<char> target, int value)
    {
        for (var i = target.Length - 1; i >= 0; i--)
        {
            target[i] = (char)('0' + (value % 10));
            value /= 10;
        }
    }

    /// <summary>" &lt;id&gt;" for a dot-atom@dot-atom id (MimeKit's parse gives it back unchanged); otherwise null.</summary>
    public static string? MessageId(string id)
    {
        return IsPlainId(id) ? " <" + id + ">" + NewLine : null;
    }

    /// <summary>In-Reply-To (and other message-id fields): MimeKit writes the trimmed text as it is.</summary>
    public static string Identifier(string value) => " " + value.Trim() + NewLine;

    /// <summary>
    /// References made of plain "&lt;id&gt;" tokens separated by spaces, folded where MimeKit folds them (a tab
    /// before an id that would pass the line length); null for anything else.
    /// </summary>
    public static string? References(string field, string value)
    {
        var raw = new StringBuilder(value.Length + 8);
        var lineLength = field.Length + 1;
        var count = 0;
        var text = value.AsSpan().Trim();
        foreach (var range in text.Split(' '))
        {
            var token = text[range];
            if (token.IsEmpty)
            {
                continue;
            }

            if (token.Length < 3 || token[0] != '<' || token[^1] != '>' || !IsPlainId(token[1..^1]))
            {
                return null;
            }

            var id = token[1..^1];
            if (count > 0 && lineLength + id.Length + 3 > MaxLineLength)
            {
                raw.Append(NewLine).Append('\t');
                lineLength = 1;
                count = 0;
            }
            else
            {
                raw.Append(' ');
                lineLength++;
            }

            raw.Append(token);
            lineLength += id.Length + 2;
            count++;
        }

        return count == 0 ? null : raw.Append(NewLine).ToString();
    }

    /// <summary>
    /// Unstructured text (Subject, X-*) that is printable ASCII with no encoded-word look-alike, folded at spaces
    /// as MimeKit folds for 78 columns; null when the text needs RFC 2047 words, when a word would not fit a line,
    /// or when the field is one MimeKit formats by other rules.
    /// </summary>
    public static string? Unstructured(HeaderId id, string field, string value)
    {
        if (Structured.Contains(id))
        {
            return null;
        }

        var text = value.AsSpan().Trim();
        foreach (var c in text)
        {
            if (c is < ' ' or > '~')
            {
                return null;
            }
        }

        if (text.IsEmpty || text.Contains("=?", StringComparison.Ordinal))
        {
            return null;
        }

        var raw = new StringBuilder(text.Length + 8);
        var lineLength = field.Length + 1;
        var lastSpace = 0;
        raw.Append(' ');
        lineLength++;
        var first = true;
        while (!text.IsEmpty)
        {
            if (text[0] == ' ')
            {
                lastSpace = raw.Length;
                raw.Append(' ');
                lineLength++;
                text = text[1..];
                continue;
            }

            var end = text.IndexOf(' ');
            var word = end < 0 ? text : text[..end];
            if (lineLength + word.Length > MaxLineLength)
            {
                if (lastSpace != 0)
                {
                    raw.Insert(lastSpace, NewLine);
                    lineLength = 1;
                }
                else if (!first)
                {
                    return null;
                }
            }

            // A word MimeKit would encode to fit a line (77 characters or more), or one that leaves the line too
            // long, is left to MimeKit.
            if (word.Length + 1 >= MaxLineLength || lineLength + word.Length > MaxLineLength)
            {
                return null;
            }

            raw.Append(word);
            lineLength += word.Length;
            lastSpace = 0;
            first = false;
            text = text[word.Length..];
        }

        return raw.Append(NewLine).ToString();
    }

    private static bool IsPlainName(string name) =>
        name.Length > 0 && !name.AsSpan().ContainsAnyExcept(NameText) && name[0] != ' ' && name[^1] != ' '
        && !name.Contains("  ", StringComparison.Ordinal) && name.AsSpan().IndexOfAnyExcept(' ') >= 0;

    private static bool IsPlainAddress(string address) => !address.AsSpan().ContainsAnyExcept(AddressText) && IsPlainId(address);

    /// <summary>dot-atom@dot-atom: a plain address or message id.</summary>
    private static bool IsPlainId(ReadOnlySpan<char> id)
    {
        var at = id.IndexOf('@');
        return at > 0 && IsDotAtom(id[..at]) && IsDotAtom(id[(at + 1)..]);
    }

    private static bool IsDotAtom(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty || text[0] == '.' || text[^1] == '.' || text.Contains("..", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in text)
        {
            if (c != '.' && !Atext.Contains(c))
            {
                return false;
            }
        }

        return true;
    }

    private static Dictionary<string, HeaderId> CreateIds()
    {
        var ids = new Dictionary<string, HeaderId>(StringComparer.OrdinalIgnoreCase);
        foreach (var id in Enum.GetValues<HeaderId>())
        {
            if (id != HeaderId.Unknown)
            {
                ids.TryAdd(id.ToHeaderName(), id);
            }
        }

        return ids;
    }

    /// <summary>A header built from bytes already formatted (MimeKit's protected constructor for that).</summary>
    private sealed class Raw(HeaderId id, string field, byte[] value)
        : Header(Options, id, field, Encoding.ASCII.GetBytes(field), value);
}
