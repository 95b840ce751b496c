using System.Text;

namespace Notifier.Tests.Infra;

/// <summary>
/// Bicep text with comments and the literal parts of strings blanked out (same length, same line breaks),
/// so structure (braces, identifiers, keys) can be searched without matching inside a comment or a string.
/// String interpolations (<c>${...}</c>) stay visible: they are code.
/// </summary>
internal static class BicepCode
{
    public static string Mask(string text) => Blank(text, blankStrings: true);

    /// <summary>The text with only its comments blanked out (strings kept).</summary>
    public static string RemoveComments(string text) => Blank(text, blankStrings: false);

    /// <summary>Index of the bracket closing the one at <paramref name="open"/>, searched in masked code.</summary>
    public static int MatchingBracket(string code, int open)
    {
        ArgumentNullException.ThrowIfNull(code);
        var depth = 0;
        for (var i = open; i < code.Length; i++)
        {
            switch (code[i])
            {
                case '{' or '[' or '(':
                    depth++;
                    break;
                case '}' or ']' or ')':
                    depth--;
                    if (depth == 0)
                    {
                        return i;
                    }

                    break;
            }
        }

        throw new FormatException($"Unbalanced bracket opened at offset {open}.");
    }

    /// <summary>
    /// End (exclusive) of the expression that starts at <paramref name="start"/>: the first line break
    /// outside any bracket, a closing bracket that was not opened inside it, or <paramref name="limit"/>.
    /// </summary>
    public static int ExpressionEnd(string code, int start, int limit)
    {
        ArgumentNullException.ThrowIfNull(code);
        var depth = 0;
        for (var i = start; i < limit; i++)
        {
            var c = code[i];
            if (c is '{' or '[' or '(')
            {
                depth++;
            }
            else if (c is '}' or ']' or ')')
            {
                if (depth == 0)
                {
                    return i;
                }

                depth--;
            }
            else if (c == '\n' && depth == 0)
            {
                return i;
            }
        }

        return limit;
    }

    private static string Blank(string text, bool blankStrings)
    {
        ArgumentNullException.ThrowIfNull(text);
        var code = new StringBuilder(text);
        var i = 0;
        MaskCode(text, code, ref i, blankStrings, stopAtClosingBrace: false);
        return code.ToString();
    }

    private static void MaskCode(string text, StringBuilder code, ref int i, bool blankStrings, bool stopAtClosingBrace)
    {
        var depth = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '/' && Peek(text, i + 1) == '/')
            {
                var end = text.IndexOf('\n', i);
                end = end < 0 ? text.Length : end;
                Erase(text, code, i, end);
                i = end;
            }
            else if (c == '/' && Peek(text, i + 1) == '*')
            {
                var end = text.IndexOf("*/", i + 2, StringComparison.Ordinal);
                end = end < 0 ? text.Length : end + 2;
                Erase(text, code, i, end);
                i = end;
            }
            else if (c == '\'' && Peek(text, i + 1) == '\'' && Peek(text, i + 2) == '\'')
            {
                // Multi-line string: no escapes, no interpolation.
                var end = text.IndexOf("'''", i + 3, StringComparison.Ordinal);
                end = end < 0 ? text.Length : end + 3;
                if (blankStrings)
                {
                    Erase(text, code, i + 3, end - 3);
                }

                i = end;
            }
            else if (c == '\'')
            {
                i++;
                MaskString(text, code, ref i, blankStrings);
            }
            else if (c == '{')
            {
                depth++;
                i++;
            }
            else if (c == '}')
            {
                if (stopAtClosingBrace && depth == 0)
                {
                    return;
                }

                depth--;
                i++;
            }
            else
            {
                i++;
            }
        }
    }

    private static void MaskString(string text, StringBuilder code, ref int i, bool blankStrings)
    {
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '\\' && i + 1 < text.Length)
            {
                if (blankStrings)
                {
                    Erase(text, code, i, i + 2);
                }

                i += 2;
            }
            else if (c == '$' && Peek(text, i + 1) == '{')
            {
                // Interpolation: code until the matching brace.
                i += 2;
                MaskCode(text, code, ref i, blankStrings, stopAtClosingBrace: true);
                i++;
            }
            else if (c == '\'')
            {
                i++;
                return;
            }
            else
            {
                if (blankStrings)
                {
                    Erase(text, code, i, i + 1);
                }

                i++;
            }
        }
    }

    private static void Erase(string text, StringBuilder code, int from, int to)
    {
        for (var j = from; j < to && j < text.Length; j++)
        {
            code[j] = text[j] == '\n' ? '\n' : ' ';
        }
    }

    private static char Peek(string text, int index) => index < text.Length ? text[index] : '\0';
}
