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

    [Fact]
    public async Task WriteEightBitAsyncWritesWhatAnEightBitServerReceives()
    {
        var message = TestMessages.Create(text: "Grüße\none\r\ntwo\n");
        using var mime = MimeMessageBuilder.Build(message);
        using var output = new MemoryStream();

        await MimeMessageBuilder.WriteEightBitAsync(mime, output);

        var written = Encoding.UTF8.GetString(output.ToArray());
        Assert.Contains("Content-Transfer-Encoding: 8bit", written, StringComparison.Ordinal);
        Assert.Equal("Grüße\r\none\r\ntwo\r\n", written[(written.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..]);
        Assert.DoesNotContain("\n", written.Replace("\r\n", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }
}
