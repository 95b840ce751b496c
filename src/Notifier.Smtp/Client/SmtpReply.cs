namespace Notifier.Smtp.Client;

/// <summary>One complete server reply: a code, the enhanced status code when present, and the text lines.</summary>
internal sealed class SmtpReply
{
    public SmtpReply(int code, IReadOnlyList<string> lines)
    {
        Code = (SmtpReplyCode)code;
        Lines = lines;
        EnhancedStatus = ParseEnhancedStatus(code, lines.Count > 0 ? lines[0] : "");
    }

    public SmtpReplyCode Code { get; }

    public int Value => (int)Code;

    /// <summary>RFC 3463 status such as <c>5.7.8</c>, from the start of the first line; null when absent.</summary>
    public string? EnhancedStatus { get; }

    public IReadOnlyList<string> Lines { get; }

    public bool IsPositive => Value is >= 200 and < 400;

    /// <summary>The reply as an admin would want to read it: code and text, lines joined with a space.</summary>
    public override string ToString() =>
        Lines.Count switch
        {
            0 => Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
            1 => Lines[0].Length == 0 ? $"{Value}" : $"{Value} {Lines[0]}",
            _ => $"{Value} {string.Join(' ', Lines)}",
        };

    /// <summary>
    /// RFC 3463: class.subject.detail where the class matches the reply's first digit (2, 4 or 5), the subject
    /// has 1–3 digits and the detail 1–3 digits, followed by a space or the end of the line.
    /// </summary>
    internal static string? ParseEnhancedStatus(int code, string text)
    {
        var cls = (char)('0' + (code / 100));
        if (text.Length < 5 || text[0] != cls || cls is not ('2' or '4' or '5') || text[1] != '.')
        {
            return null;
        }

        var i = 2;
        if (!Digits(text, ref i) || i >= text.Length || text[i] != '.')
        {
            return null;
        }

        i++;
        if (!Digits(text, ref i) || (i < text.Length && text[i] != ' '))
        {
            return null;
        }

        return text[..i];

        static bool Digits(string s, ref int i)
        {
            var start = i;
            while (i < s.Length && char.IsAsciiDigit(s[i]) && i - start < 4)
            {
                i++;
            }

            return i - start is >= 1 and <= 3;
        }
    }
}
