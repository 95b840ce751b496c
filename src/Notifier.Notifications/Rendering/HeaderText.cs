using System.Text;

namespace Notifier.Notifications.Rendering;

/// <summary>
/// Makes event text safe for a header value. Event text is attacker-controlled: a CR or LF in a title or a
/// display name must never start a new header, and the MIME writer refuses control characters outright
/// (it throws rather than guess), so every value is cleaned here before it reaches an <c>EmailMessage</c>.
/// </summary>
internal static class HeaderText
{
    /// <summary>
    /// Control characters, line and paragraph separators and bidi overrides become a space, runs of white
    /// space collapse to one, lone surrogates become U+FFFD, and the result is cut to <paramref name="maxLength"/>
    /// (with an ellipsis) without splitting a surrogate pair.
    /// </summary>
    public static string Clean(string? value, int maxLength = 200)
    {
        if (string.IsNullOrEmpty(value))
        {
            return string.Empty;
        }

        if (IsAlreadyClean(value, maxLength))
        {
            return value;
        }

        var builder = new StringBuilder(Math.Min(value.Length, maxLength + 8));
        var pendingSpace = false;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (IsBreaking(c) || char.IsWhiteSpace(c))
            {
                pendingSpace = builder.Length > 0;
                continue;
            }

            if (pendingSpace)
            {
                builder.Append(' ');
                pendingSpace = false;
            }

            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                builder.Append(c).Append(value[++i]);
            }
            else if (char.IsSurrogate(c))
            {
                builder.Append('\uFFFD');
            }
            else
            {
                builder.Append(c);
            }

            if (builder.Length >= maxLength)
            {
                break;
            }
        }

        return builder.Length >= maxLength && builder.Length < value.Length
            ? TextLimit.Cut(builder.ToString(), maxLength - 1).TrimEnd() + "…"
            : builder.ToString();
    }

    /// <summary>
    /// True when <see cref="Clean"/> would return the value unchanged: short enough, no breaking or surrogate
    /// characters (pairs included, to keep this simple), and white space only as single inner spaces. Names,
    /// repository names and titles almost always are, and this spares a builder and a copy for each of them.
    /// </summary>
    private static bool IsAlreadyClean(string value, int maxLength)
    {
        if (value.Length > maxLength || value[0] == ' ' || value[^1] == ' ')
        {
            return false;
        }

        var previous = 'x';
        foreach (var c in value)
        {
            if (c == ' ' ? previous == ' ' : IsBreaking(c) || char.IsWhiteSpace(c) || char.IsSurrogate(c))
            {
                return false;
            }

            previous = c;
        }

        return true;
    }

    /// <summary>
    /// Characters that must never appear in a header: C0/C1 controls (CR, LF, NUL, TAB...), U+2028/U+2029,
    /// and the bidi embedding/override/isolate controls that can make a subject display in a misleading order.
    /// </summary>
    internal static bool IsBreaking(char c) =>
        char.IsControl(c) || c is '\u2028' or '\u2029' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');

    /// <summary>Keeps only characters allowed in a Message-ID or List-Id atom; anything else becomes '-'.</summary>
    public static string Atom(string? value, int maxLength = 64)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "x";
        }

        var length = Math.Min(value.Length, maxLength);
        return string.Create(length, value, static (span, source) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                var c = source[i];
                span[i] = char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-';
            }
        });
    }
}
