using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Notifier.Tests.Infra;

/// <summary>
/// A piece of a Bicep file: its original text and the same piece of masked code (see <see cref="BicepCode"/>),
/// which have equal lengths so an offset found in one is valid in the other.
/// </summary>
internal sealed partial class BicepSpan
{
    public BicepSpan(string text, string code)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(code);
        if (text.Length != code.Length)
        {
            throw new ArgumentException("Text and masked code must have the same length.", nameof(code));
        }

        Text = text;
        Code = code;
    }

    public string Text { get; }

    public string Code { get; }

    /// <summary>The expression text, trimmed, with comments removed.</summary>
    public string Expression => BicepCode.RemoveComments(Text).Trim();

    public BicepSpan Slice(int start, int end) => new(Text[start..end], Code[start..end]);

    /// <summary>The value of a plain string literal (<c>'...'</c> without interpolation), else null.</summary>
    public string? StringLiteral
    {
        get
        {
            var expression = Expression;
            if (expression.Length < 2 || expression[0] != '\'' || expression[^1] != '\'' || expression.Contains("${", StringComparison.Ordinal))
            {
                return null;
            }

            var code = BicepCode.Mask(expression);
            if (code.IndexOf('\'', 1) != expression.Length - 1)
            {
                return null;
            }

            return Unescape(expression[1..^1]);
        }
    }

    /// <summary>The value of an integer literal, else null.</summary>
    public long? IntegerLiteral =>
        long.TryParse(Expression, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : null;

    /// <summary>
    /// The properties of an object literal, in order, when this span is (or starts with) <c>{ ... }</c>:
    /// key and value of every property at the object's top level. Keys may be quoted.
    /// </summary>
    public IReadOnlyList<BicepProperty> ObjectProperties()
    {
        var open = Code.IndexOf('{', StringComparison.Ordinal);
        if (open < 0)
        {
            return [];
        }

        var close = BicepCode.MatchingBracket(Code, open);
        var properties = new List<BicepProperty>();
        var i = open + 1;
        while (i < close)
        {
            var match = PropertyKey().Match(Code, i, close - i);
            if (!match.Success)
            {
                break;
            }

            // Only keys at the object's own level count; skip over nested brackets before the match.
            var nested = FirstBracket(i, match.Index);
            if (nested >= 0)
            {
                i = BicepCode.MatchingBracket(Code, nested) + 1;
                continue;
            }

            var keyGroup = match.Groups["key"];
            var key = Text.Substring(keyGroup.Index, keyGroup.Length);
            if (key.StartsWith('\'') && key.EndsWith('\''))
            {
                key = key[1..^1];
            }

            var valueStart = match.Index + match.Length;
            var valueEnd = BicepCode.ExpressionEnd(Code, valueStart, close);
            var separator = Code.IndexOf(',', valueStart, valueEnd - valueStart);
            if (separator >= 0 && FirstBracket(valueStart, separator) < 0)
            {
                valueEnd = separator;
            }

            properties.Add(new BicepProperty(key, Slice(valueStart, valueEnd)));
            i = valueEnd + 1;
        }

        return properties;
    }

    /// <summary>The property called <paramref name="key"/> of this object literal, else null.</summary>
    public BicepSpan? Property(string key) =>
        ObjectProperties().FirstOrDefault(p => p.Key == key)?.Value;

    /// <summary>
    /// The arguments of the call <c>name(...)</c> that this expression is, split at top-level commas; null
    /// when the expression is not such a call.
    /// </summary>
    public IReadOnlyList<string>? CallArguments(string functionName)
    {
        var expression = Expression;
        var code = BicepCode.Mask(expression);
        if (!code.StartsWith(functionName + "(", StringComparison.Ordinal))
        {
            return null;
        }

        var open = functionName.Length;
        var close = BicepCode.MatchingBracket(code, open);
        if (close != code.TrimEnd().Length - 1)
        {
            return null;
        }

        var arguments = new List<string>();
        var start = open + 1;
        var depth = 0;
        for (var i = open + 1; i < close; i++)
        {
            var c = code[i];
            if (c is '{' or '[' or '(')
            {
                depth++;
            }
            else if (c is '}' or ']' or ')')
            {
                depth--;
            }
            else if (c == ',' && depth == 0)
            {
                arguments.Add(expression[start..i].Trim());
                start = i + 1;
            }
        }

        arguments.Add(expression[start..close].Trim());
        return arguments;
    }

    private int FirstBracket(int from, int to)
    {
        for (var i = from; i < to; i++)
        {
            if (Code[i] is '{' or '[' or '(')
            {
                return i;
            }
        }

        return -1;
    }

    private static string Unescape(string value)
    {
        var builder = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '\\' && i + 1 < value.Length)
            {
                i++;
                builder.Append(value[i] switch
                {
                    'n' => '\n',
                    'r' => '\r',
                    't' => '\t',
                    _ => value[i],
                });
            }
            else
            {
                builder.Append(value[i]);
            }
        }

        return builder.ToString();
    }

    [GeneratedRegex(@"(?<=(?:^|\n|\{|,)[ \t]*)(?<key>[A-Za-z_][\w]*|'[^'\n]*')[ \t]*:", RegexOptions.CultureInvariant)]
    private static partial Regex PropertyKey();
}
