namespace Notifier.Smtp.Messages;

/// <summary>
/// The checks that make header injection impossible: every piece of text bound for a header passes through
/// here before the first byte of a message is written, so a refused message leaves no partial output.
/// </summary>
internal static class HeaderText
{
    /// <summary>
    /// Longest header name we accept: "Name: " plus the shortest encoded word (one 4-byte character, Q-encoded:
    /// 24 characters) must fit on a 78-character line, because a header is never folded before its first word.
    /// </summary>
    public const int MaxNameLength = 50;

    /// <summary>Headers the message builder sets itself; <see cref="Messages.EmailMessage.Headers"/> may not set them.</summary>
    private static readonly string[] OwnedHeaders = ["From", "To", "Subject", "Date", "Message-ID", "MIME-Version"];

    /// <summary>
    /// Refuses CR, LF, every other C0/C1 control character, DEL, the Unicode line and paragraph separators and
    /// unpaired surrogates. The message names the field and the position, never the value (it may be private).
    /// </summary>
    public static void CheckValue(ReadOnlySpan<char> value, string field)
    {
        if (Problem(value) is { } problem)
        {
            throw new ArgumentException($"{field} {problem}");
        }
    }

    /// <summary>As <see cref="CheckValue"/> for an extra header's value; the message names the header.</summary>
    public static void CheckHeaderValue(ReadOnlySpan<char> value, string name)
    {
        if (Problem(value) is { } problem)
        {
            throw new ArgumentException($"The {name} header {problem}");
        }
    }

    /// <summary>What is wrong with the text, or null; only a refusal pays for building a message.</summary>
    private static string? Problem(ReadOnlySpan<char> value)
    {
        if (!value.ContainsAnyExceptInRange(' ', '~'))
        {
            // Printable ASCII, the common case, checked in one vectorised pass.
            return null;
        }

        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsControl(c) || c is '\u2028' or '\u2029')
            {
                return $"contains the control character U+{(int)c:X4} at position {i}; CR, LF and other control characters are never written into an email header.";
            }

            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return $"contains an unpaired UTF-16 surrogate at position {i}; it is not valid Unicode text.";
            }
        }

        return null;
    }

    /// <summary>
    /// A header name is 1–50 printable US-ASCII characters other than ':' (RFC 5322 ftext), and never one of the
    /// headers the message builder owns (From, To, Subject, Date, Message-ID, MIME-Version, Content-*).
    /// </summary>
    public static void CheckExtraHeaderName(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw new ArgumentException("An extra header has an empty name.");
        }

        if (name.Length > MaxNameLength)
        {
            throw new ArgumentException($"The extra header name '{name[..20]}…' is longer than {MaxNameLength} characters.");
        }

        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (c is < '!' or > '~' or ':')
            {
                var shown = c is >= '!' and <= '~' ? $"'{c}'" : $"U+{(int)c:X4}";
                throw new ArgumentException(
                    $"The extra header name '{Printable(name)}' contains {shown} at position {i}; a header name is printable US-ASCII without spaces or ':'.");
            }
        }

        foreach (var owned in OwnedHeaders)
        {
            if (string.Equals(owned, name, StringComparison.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"The extra header '{name}' would override a header the message builder sets itself; use the EmailMessage property instead.");
            }
        }

        if (name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"The extra header '{name}' would override the MIME structure; Content-* headers are set by the message builder.");
        }
    }

    /// <summary>
    /// A Message-ID without angle brackets: printable ASCII, no spaces or brackets, one '@' with text on both sides.
    /// </summary>
    public static void CheckMessageId(string id)
    {
        var at = id.IndexOf('@', StringComparison.Ordinal);
        var valid = id.Length is > 2 and <= 250 && at > 0 && at < id.Length - 1 && id.IndexOf('@', at + 1) < 0;
        foreach (var c in id)
        {
            if (c is <= ' ' or > '~' or '<' or '>' or '"' or '\\' or '(' or ')' or ',' or ';' or ':')
            {
                valid = false;
                break;
            }
        }

        if (!valid)
        {
            throw new ArgumentException(
                "The Message-ID must look like 'unique-part@domain' (printable ASCII, no spaces, brackets or control characters, at most 250 characters).");
        }
    }

    private static string Printable(string value) =>
        string.Create(value.Length, value, static (target, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                target[i] = char.IsControl(source[i]) ? '?' : source[i];
            }
        });
}
