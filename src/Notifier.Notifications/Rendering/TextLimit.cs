using System.Text;

namespace Notifier.Notifications.Rendering;

/// <summary>Cuts and cleans body text from events (descriptions, comments, messages).</summary>
internal static class TextLimit
{
    /// <summary>Descriptions and comments longer than this are cut: a 1 MB description must not make a 1 MB email.</summary>
    public const int MaxMarkdownLength = 20_000;

    /// <summary>The first <paramref name="length"/> characters, never ending between the halves of a surrogate pair.</summary>
    public static string Cut(string value, int length)
    {
        if (value.Length <= length)
        {
            return value;
        }

        if (length > 0 && char.IsHighSurrogate(value[length - 1]))
        {
            length--;
        }

        return value[..length];
    }

    /// <summary>
    /// Cuts long markdown at a line or word break near <see cref="MaxMarkdownLength"/>. Returns whether it cut,
    /// so the caller can say so in the email.
    /// </summary>
    public static string CutMarkdown(string value, out bool truncated)
    {
        truncated = value.Length > MaxMarkdownLength;
        if (!truncated)
        {
            return value;
        }

        var cut = Cut(value, MaxMarkdownLength);
        var lineBreak = cut.LastIndexOf('\n');
        var space = cut.LastIndexOf(' ');
        var at = lineBreak > MaxMarkdownLength - 2000 ? lineBreak : space > MaxMarkdownLength - 200 ? space : cut.Length;
        return cut[..at].TrimEnd();
    }

    /// <summary>
    /// Cleans body text: CRLF and CR become LF, control characters other than LF and TAB are dropped, and lone
    /// surrogates become U+FFFD (they cannot be encoded as UTF-8). Returns the input itself when it is clean.
    /// </summary>
    public static string CleanBody(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return string.Empty;
        }

        var clean = true;
        foreach (var c in value)
        {
            if ((char.IsControl(c) && c is not '\n' and not '\t') || char.IsSurrogate(c))
            {
                clean = false;
                break;
            }
        }

        if (clean)
        {
            return value;
        }

        var builder = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '\r')
            {
                if (i + 1 >= value.Length || value[i + 1] != '\n')
                {
                    builder.Append('\n');
                }
            }
            else if (c is '\n' or '\t')
            {
                builder.Append(c);
            }
            else if (char.IsControl(c))
            {
                continue;
            }
            else if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                builder.Append(c).Append(value[++i]);
            }
            else
            {
                builder.Append(char.IsSurrogate(c) ? '\uFFFD' : c);
            }
        }

        return builder.ToString();
    }

    /// <summary>One line of body text: cleaned, white space runs (including line breaks) collapsed.</summary>
    public static string OneLine(string? value, int maxLength = 300) => HeaderText.Clean(value, maxLength);

    /// <summary>The first line of a commit message.</summary>
    public static string FirstLine(string? message, int maxLength = 120)
    {
        if (string.IsNullOrWhiteSpace(message))
        {
            return string.Empty;
        }

        var trimmed = message.TrimStart();
        var end = trimmed.IndexOfAny(['\r', '\n']);
        return OneLine(end < 0 ? trimmed : trimmed[..end], maxLength);
    }
}
