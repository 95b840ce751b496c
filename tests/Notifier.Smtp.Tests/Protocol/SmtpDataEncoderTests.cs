using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Notifier.Smtp.Protocol;

namespace Notifier.Smtp.Tests.Protocol;

public sealed class SmtpDataEncoderTests
{
    [Theory]
    [InlineData("", ".\r\n")]
    [InlineData("a", "a\r\n.\r\n")]
    [InlineData(".", "..\r\n.\r\n")]
    [InlineData("a\r\n.\r\nb\r\n", "a\r\n..\r\nb\r\n.\r\n")]
    [InlineData("a\n..b\n", "a\r\n...b\r\n.\r\n")]
    [InlineData("a\rb\r", "a\r\nb\r\n.\r\n")]
    [InlineData("a\r\r\nb", "a\r\n\r\nb\r\n.\r\n")]
    [InlineData("x.y\r\n", "x.y\r\n.\r\n")]
    public void EncodesLineEndsAndLeadingDots(string input, string expected)
    {
        Assert.Equal(expected, Encode(input));
    }

    [Fact]
    public void DecodingTheEncodingGivesBackTheMessageWithCrlfLineEnds()
    {
        var lineChars = Gen.Elements('a', '.', ' ', '\r', '\n', 'é');
        Prop.ForAll(
                Gen.ArrayOf(lineChars).Select(c => new string(c)).ToArbitrary(),
                text =>
                {
                    var encoded = Encode(text);
                    var lines = encoded.Split("\r\n");
                    // The payload ends with the terminator line and no content line is a lone ".".
                    var ok = encoded.EndsWith("\r\n.\r\n", StringComparison.Ordinal) || encoded == ".\r\n";
                    var body = lines[..^2];
                    ok &= !body.Contains(".");
                    var decoded = string.Concat(body.Select(l => (l.StartsWith('.') ? l[1..] : l) + "\r\n"));
                    var normalized = text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Replace("\n", "\r\n", StringComparison.Ordinal);
                    if (normalized.Length > 0 && !normalized.EndsWith("\r\n", StringComparison.Ordinal))
                    {
                        normalized += "\r\n";
                    }

                    return ok && decoded == normalized && !encoded[..^3].Replace("\r\n", "", StringComparison.Ordinal).Contains('\r') && !encoded.Replace("\r\n", "", StringComparison.Ordinal).Contains('\n');
                })
            .QuickCheckThrowOnFailure();
    }

    private static string Encode(string text)
    {
        using var output = new PooledBufferWriter(16);
        SmtpDataEncoder.Encode(Encoding.UTF8.GetBytes(text), output);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }
}
