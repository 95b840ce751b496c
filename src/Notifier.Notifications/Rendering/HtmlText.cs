using System.Text;

namespace Notifier.Notifications.Rendering;

/// <summary>
/// The one HTML escaper for values that come from events, in text and in attribute values alike (it escapes
/// both quote characters, so a value is safe inside <c>"..."</c>). Control characters other than LF and TAB are
/// dropped and lone surrogates become U+FFFD.
/// </summary>
internal static class HtmlText
{
    public static StringBuilder AppendEncoded(this StringBuilder builder, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return builder;
        }

        var start = 0;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            string? replacement = c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                '\n' or '\t' => null,
                _ when char.IsControl(c) => string.Empty,
                _ when char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]) => null,
                _ when char.IsLowSurrogate(c) && i > 0 && char.IsHighSurrogate(value[i - 1]) => null,
                _ when char.IsSurrogate(c) => "\uFFFD",
                _ => null,
            };

            if (replacement is null)
            {
                continue;
            }

            builder.Append(value, start, i - start).Append(replacement);
            start = i + 1;
        }

        return builder.Append(value, start, value.Length - start);
    }

    /// <summary>The encoded text; the value itself when nothing in it needs escaping (the usual case, e.g. reason sentences).</summary>
    public static string Encode(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return string.Empty;
        }

        foreach (var c in value)
        {
            // Any character AppendEncoded might change sends the value through it; surrogates conservatively so.
            if (c is '&' or '<' or '>' or '"' or '\'' || (char.IsControl(c) && c is not '\n' and not '\t') || char.IsSurrogate(c))
            {
                return new StringBuilder(value.Length + 16).AppendEncoded(value).ToString();
            }
        }

        return value;
    }
}
