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
    public static void AppendWrapped(StringBuilder output, string text, string prefix = "", string? hangingPrefix = null)
    {
        hangingPrefix ??= prefix;
        var lineStart = output.Length;
        output.Append(prefix);
        var column = prefix.Length;
        var first = true;
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
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

    /// <summary>Appends markdown source, wrapping prose lines and keeping code, tables and list structure.</summary>
    public static void AppendMarkdown(StringBuilder output, string markdown, string prefix = "")
    {
        var inFence = false;
        foreach (var raw in markdown.Split('\n'))
        {
            var line = raw.TrimEnd();
            var trimmed = line.TrimStart();
            if (trimmed.StartsWith("```", StringComparison.Ordinal) || trimmed.StartsWith("~~~", StringComparison.Ordinal))
            {
                inFence = !inFence;
                output.Append(prefix).Append(line).Append('\n');
                continue;
            }

            if (inFence || line.StartsWith("    ", StringComparison.Ordinal) || line.StartsWith('\t') || trimmed.StartsWith('|') || line.Length + prefix.Length <= Width)
            {
                output.Append((prefix + line).TrimEnd()).Append('\n');
                continue;
            }

            var indent = line[..(line.Length - trimmed.Length)];
            var marker = ListMarker(trimmed);
            AppendWrapped(output, trimmed, prefix + indent, prefix + indent + new string(' ', marker));
        }
    }

    private static int ListMarker(string line)
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
