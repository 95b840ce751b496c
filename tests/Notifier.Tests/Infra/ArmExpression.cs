using System.Globalization;
using System.Text;

namespace Notifier.Tests.Infra;

/// <summary>
/// A parsed ARM template language expression (the text between <c>[</c> and <c>]</c> in compiled JSON):
/// literals, function calls, <c>.property</c> and <c>[index]</c>. <see cref="ToString"/> gives one canonical
/// text, so two expressions can be compared.
/// </summary>
internal abstract record ArmExpression
{
    /// <summary>Parses <paramref name="text"/>, with or without its surrounding brackets.</summary>
    public static ArmExpression Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var body = text.StartsWith('[') && text.EndsWith(']') ? text[1..^1] : text;
        var parser = new Parser(body);
        var expression = parser.ParseExpression();
        parser.ExpectEnd();
        return expression;
    }

    /// <summary>Whether a JSON string value of a template is an expression rather than a literal.</summary>
    public static bool IsExpression(string value) =>
        value.Length >= 2 && value[0] == '[' && value[^1] == ']' && !value.StartsWith("[[", StringComparison.Ordinal);

    private sealed class Parser(string text)
    {
        private int _position;

        public ArmExpression ParseExpression()
        {
            var expression = ParsePrimary();
            while (true)
            {
                SkipSpace();
                if (TryTake('.'))
                {
                    expression = new ArmMember(expression, ReadIdentifier());
                }
                else if (TryTake('['))
                {
                    var index = ParseExpression();
                    Expect(']');
                    expression = new ArmIndex(expression, index);
                }
                else
                {
                    return expression;
                }
            }
        }

        public void ExpectEnd()
        {
            SkipSpace();
            if (_position != text.Length)
            {
                throw Error("end of expression");
            }
        }

        private ArmExpression ParsePrimary()
        {
            SkipSpace();
            if (_position >= text.Length)
            {
                throw Error("a value");
            }

            var c = text[_position];
            if (c == '\'')
            {
                return new ArmLiteral(ReadString());
            }

            if (c == '-' || char.IsAsciiDigit(c))
            {
                var start = _position++;
                while (_position < text.Length && char.IsAsciiDigit(text[_position]))
                {
                    _position++;
                }

                return new ArmLiteral(long.Parse(text[start.._position], CultureInfo.InvariantCulture));
            }

            var name = ReadIdentifier();
            SkipSpace();
            Expect('(');
            var arguments = new List<ArmExpression>();
            SkipSpace();
            if (!TryTake(')'))
            {
                do
                {
                    arguments.Add(ParseExpression());
                    SkipSpace();
                }
                while (TryTake(','));
                Expect(')');
            }

            return new ArmCall(name, arguments);
        }

        private string ReadString()
        {
            var value = new StringBuilder();
            _position++;
            while (true)
            {
                if (_position >= text.Length)
                {
                    throw Error("closing quote");
                }

                var c = text[_position++];
                if (c == '\'')
                {
                    if (_position < text.Length && text[_position] == '\'')
                    {
                        value.Append('\'');
                        _position++;
                        continue;
                    }

                    return value.ToString();
                }

                value.Append(c);
            }
        }

        private string ReadIdentifier()
        {
            SkipSpace();
            var start = _position;
            while (_position < text.Length && (char.IsAsciiLetterOrDigit(text[_position]) || text[_position] is '_' or '$'))
            {
                _position++;
            }

            return _position > start ? text[start.._position] : throw Error("a name");
        }

        private void SkipSpace()
        {
            while (_position < text.Length && char.IsWhiteSpace(text[_position]))
            {
                _position++;
            }
        }

        private bool TryTake(char c)
        {
            SkipSpace();
            if (_position < text.Length && text[_position] == c)
            {
                _position++;
                return true;
            }

            return false;
        }

        private void Expect(char c)
        {
            if (!TryTake(c))
            {
                throw Error($"'{c}'");
            }
        }

        private FormatException Error(string expected) =>
            new($"ARM expression '{text}': expected {expected} at {_position}");
    }
}
