using System.Text;
using MimeKit;
using Notifier.Smtp.Messages;

namespace Notifier.Smtp.Tests.Mime;

/// <summary>Whatever line ends a body arrives with, it goes out with CRLF and nothing else, 8bit or 7bit.</summary>
public sealed class LineEndTests
{
    [Theory]
    [InlineData("one\r\ntwo\r\nthree\r\n")]
    [InlineData("one\ntwo\nthree\n")]
    [InlineData("one\rtwo\r\nthree\n")]
    public void TheBodyGoesOutWithCrlfOnlyWhenSentAs8Bit(string text)
    {
        using var mime = MimeMessageBuilder.Build(TestMessages.Create(text: text));
        mime.Prepare(EncodingConstraint.EightBit, 998);
        var format = FormatOptions.Default.Clone();
        format.NewLineFormat = NewLineFormat.Dos;
        using var output = new MemoryStream();

        mime.WriteTo(format, output);

        var written = Encoding.UTF8.GetString(output.ToArray());
        var body = written[(written.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
        Assert.Equal("one\r\ntwo\r\nthree\r\n", body);
    }
}
