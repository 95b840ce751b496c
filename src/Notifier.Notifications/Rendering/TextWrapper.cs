using System.Text;

namespace Notifier.Notifications.Rendering;

/// <summary>
/// Wraps plain text at <see cref="Width"/> columns for the text/plain part. Words longer than a line (URLs)
/// are never broken, so they stay clickable; markdown code (fenced or indented) is left as it is.
/// </summary>
internal static class TextWrapper
{
    public const int Width = 72;

    /// <summary>Appends <paramref name="text"/> wrapped, every line starting with <paramref name="prefix"/>; continuation lines with <paramref name="hangingPrefix"/>.</summary>
    public static void AppendWrapped(StringBuilder output, string text, string prefix = "", string? hangingPrefix = null) =>
        AppendWrappedSpan(output, text, prefix, hangingPrefix ?? prefix);

    /// <summary>Appends markdown source, wrapping prose lines and keeping code, tables and list structure.</summary>
    public static void AppendMarkdown(StringBuilder output, string markdown, string prefix = "")
    {
        // Works on slices of the source: splitting into line and word strings cost more than the wrapping.
        var inFence = false;
        var source = markdown.AsSpan();
        foreach (var range in source.Split('\n'))
        {
            var line = source[range].TrimEnd();
            var trimmed = line.TrimStart();
            if (trimmed.StartsWith("```", StringComparison.Ordinal) || trimmed.StartsWith("~~~", StringComparison.Ordinal))
            {
                inFence = !inFence;
                output.Append(prefix).Append(line).Append('\n');
                continue;
            }

            if (inFence || line.StartsWith("    ", StringComparison.Ordinal) || line.StartsWith('\t') || trimmed.StartsWith('|') || line.Length + prefix.Length <= Width)
            {
                // The line has no trailing white space of its own, so only an empty line can end in the prefix's.
                if (line.IsEmpty)
                {
                    output.Append(prefix.AsSpan().TrimEnd());
                }
                else
                {
                    output.Append(prefix).Append(line);
                }

                output.Append('\n');
                continue;
            }

            var lead = string.Concat(prefix, line[..(line.Length - trimmed.Length)]);
            AppendWrappedSpan(output, trimmed, lead, lead + new string(' ', ListMarker(trimmed)));
        }
    }

    private static void AppendWrappedSpan(StringBuilder output, ReadOnlySpan<char> text, ReadOnlySpan<char> prefix, ReadOnlySpan<char> hangingPrefix)
    {
        var lineStart = output.Length;
        output.Append(prefix);
        var column = prefix.Length;
        var first = true;
        foreach (var range in text.Split(' '))
        {
            var word = text[range];
            if (word.IsEmpty)
            {
                continue;
            }

            if (!first && column + 1 + word.Length > Width)
            {
                output.Append('\n').Append(hangingPrefix);
                column = hangingPrefix.Length;
                first = true;
            }

            if (!first)
            {
                output.Append(' ');
                column++;
            }

            output.Append(word);
            column += word.Length;
            first = false;
        }

        // An empty line with a prefix such as "> " keeps the prefix but no trailing space.
        if (first && output.Length - lineStart == prefix.Length)
        {
            output.Length = lineStart;
            output.Append(prefix.TrimEnd());
        }

        output.Append('\n');
    }

    private static int ListMarker(ReadOnlySpan<char> line)
    {
        if (line.Length > 2 && line[0] is '-' or '*' or '+' && line[1] == ' ')
        {
            return 2;
        }

        var digits = 0;
        while (digits < line.Length && char.IsAsciiDigit(line[digits]))
        {
            digits++;
        }

        return digits > 0 && digits + 1 < line.Length && line[digits] is '.' or ')' && line[digits + 1] == ' ' ? digits + 2 : 0;
    }
}
