using System.Text;
using FsCheck;
using FsCheck.Fluent;
using MimeKit;
using Notifier.Smtp.Messages;

namespace Notifier.Smtp.Tests.Mime;

/// <summary>
/// The builder's text parts decide 7bit/8bit themselves and write such bodies without MimeKit's filters. Whatever
/// the body and whatever the server allows, the transfer encoding and every byte written must be exactly what
/// MimeKit's own <see cref="TextPart"/> gives for the same text.
/// </summary>
public sealed class ScannedTextPartTests
{
    private static readonly (EncodingConstraint Constraint, int MaxLineLength)[] Servers =
    [
        (EncodingConstraint.EightBit, 998), // 8BITMIME, what MailKit asks for
        (EncodingConstraint.SevenBit, 998), // a 7-bit server
        (EncodingConstraint.SevenBit, 78), // the .eml outbox
        (EncodingConstraint.EightBit, 78),
        (EncodingConstraint.None, 998), // BINARYMIME
    ];

    public static TheoryData<string, string> Bodies => new()
    {
        { "ASCII, LF", "Hello\nSecond line\n" },
        { "ASCII, CRLF", "Hello\r\nSecond line\r\n" },
        { "UTF-8", "Grüße aus Zürich — ✓ 😀\nשלום\n" },
        { "mostly non-ASCII", string.Concat(Enumerable.Repeat("プルリクエストが承認されました。\n", 30)) },
        { "no final line end", "one\ntwo" },
        { "UTF-8, no final line end", "Grüße\nzwei" },
        { "empty", "" },
        { "only a line end", "\n" },
        { "starts with LF", "\nafter an empty line\n" },
        { "From at the start", "From me to you\nsecond\n" },
        { "From in the middle", "first\nFrom here on\nlast\n" },
        { "From on the last line without a line end", "first\nFrom the end" },
        { "From in UTF-8", "é\nFrom é\n" },
        { "not quite From", "From\nFrom:x\nfrom here\n From indented\n" },
        { "bare CR", "one\rtwo\r\nthree\n" },
        { "bare CR at the end", "one\r" },
        { "mixed line ends", "a\r\nb\nc\r\n\r\n\nd\n" },
        { "NUL", "before\0after\n" },
        { "NUL, UTF-8", "é\0\n" },
        { "line of 77", new string('x', 77) + "\n" },
        { "line of 78", new string('x', 78) + "\n" },
        { "line of 79", new string('x', 79) + "\n" },
        { "line of 997", new string('x', 997) + "\nshort\n" },
        { "line of 998", new string('x', 998) + "\nshort\n" },
        { "line of 999", new string('x', 999) + "\nshort\n" },
        { "line of 998, CRLF", new string('x', 998) + "\r\nshort\r\n" },
        { "UTF-8 line of 998 bytes", new string('é', 499) + "\n" },
        { "CRLF across a 4 KB read", new string('y', 4096 - 998 - 2) + "\r\n" + new string('x', 998) + "\r\nend\r\n" },
        { "trailing spaces and tabs", "space \ntab\t\n= sign\n" },
        { "large", string.Concat(Enumerable.Range(0, 2000).Select(i => $"line {i} with some text é\n")) },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task AsTheWholeBodyTheBytesAreMimeKitsForEveryServer(string kind, string text)
    {
        foreach (var (constraint, maxLineLength) in Servers)
        {
            await AssertSameAsMimeKit(text, html: null, constraint, maxLineLength, kind);
        }
    }

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task InMultipartAlternativeTheBytesAreMimeKitsForEveryServer(string kind, string text)
    {
        foreach (var (constraint, maxLineLength) in Servers)
        {
            await AssertSameAsMimeKit(text, text + "<p>x</p>\n", constraint, maxLineLength, kind);
            await AssertSameAsMimeKit("plain\n", text, constraint, maxLineLength, kind);
        }
    }

    [Fact]
    public void ArbitraryBodiesGiveMimeKitsBytes()
    {
        var fragment = Gen.Elements(
            "a", "word ", "é", "😀", "語", "\n", "\r\n", "\r", "\0", "From ", "\nFrom ", " ", "\t", "=", ".",
            new string('x', 70), new string('x', 990), new string('é', 40));
        var body = Gen.ListOf(fragment).Select(parts => string.Concat(parts));
        var cases = from text in body
                    from html in Gen.OneOf(Gen.Constant<string?>(null), body.Select(b => (string?)b))
                    from server in Gen.Elements(Servers)
                    select (text, html, server);
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), Prop.ForAll(cases.ToArbitrary(), c =>
            AssertSameAsMimeKit(c.text, c.html, c.server.Constraint, c.server.MaxLineLength, "arbitrary").GetAwaiter().GetResult()));
    }

    [Fact]
    public async Task ASecondPrepareForAnotherServerGivesMimeKitsAnswerAgain()
    {
        // A pooled send that is retried may meet a server with other extensions: 8bit first, then 7-bit.
        foreach (var text in new[] { "plain ASCII\n", "Grüße\n", new string('x', 1200) + "\n" })
        {
            using var ours = MimeMessageBuilder.Build(TestMessages.Create(text: text));
            using var theirs = Reference(ours, text, null);
            foreach (var (constraint, maxLineLength) in Servers.Concat(Servers.Reverse()))
            {
                ours.Prepare(constraint, maxLineLength);
                theirs.Prepare(constraint, maxLineLength);
                Assert.Equal(((MimePart)theirs.Body!).ContentTransferEncoding, ((MimePart)ours.Body!).ContentTransferEncoding);
                Assert.Equal(Latin1(await WriteAsync(theirs, Wire)), Latin1(await WriteAsync(ours, Wire)));
            }
        }
    }

    [Fact]
    public void A8BitBodyIsPreparedAndWrittenWithoutMimeKitsFilters()
    {
        // MimeKit scans and filters the body through 4 KB buffers it allocates on every Prepare and write; the
        // part decides from one pass over its bytes and writes them from a pooled block.
        var text = string.Concat(Enumerable.Range(0, 400).Select(i => $"Zeile {i}: Grüße aus Zürich\n"));
        using var ours = MimeMessageBuilder.Build(TestMessages.Create(text: text));
        using var theirs = Reference(ours, text, null);
        var oursAllocated = PrepareAndWriteAllocates(ours);
        var theirsAllocated = PrepareAndWriteAllocates(theirs);

        Assert.Equal(ContentEncoding.EightBit, ((MimePart)ours.Body!).ContentTransferEncoding);
        Assert.True(oursAllocated * 2 < theirsAllocated, $"the part allocated {oursAllocated} bytes, MimeKit's {theirsAllocated}");
    }

    [Fact]
    public void DisposingTheMessageReturnsTheBodyAndLeavesItUnusable()
    {
        var mime = MimeMessageBuilder.Build(TestMessages.Create(text: "Grüße\n"));
        mime.Dispose();

        Assert.Throws<ObjectDisposedException>(() => mime.Body!.Prepare(EncodingConstraint.EightBit, 998));
        Assert.Throws<ObjectDisposedException>(() => mime.WriteTo(Wire, Stream.Null));
    }

    private static readonly FormatOptions Wire = CreateWire();

    private static FormatOptions CreateWire()
    {
        // What MailKit writes with: CRLF and a final line end.
        var format = FormatOptions.Default.Clone();
        format.NewLineFormat = NewLineFormat.Dos;
        format.EnsureNewLine = true;
        return format;
    }

    private static readonly FormatOptions Unix = CreateUnix();

    private static FormatOptions CreateUnix()
    {
        var format = FormatOptions.Default.Clone();
        format.NewLineFormat = NewLineFormat.Unix;
        return format;
    }

    private static long PrepareAndWriteAllocates(MimeMessage message)
    {
        for (var i = 0; i < 3; i++)
        {
            message.Prepare(EncodingConstraint.EightBit, 998);
            message.WriteTo(Wire, Stream.Null);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10; i++)
        {
            message.Prepare(EncodingConstraint.EightBit, 998);
            message.WriteTo(Wire, Stream.Null);
        }

        return (GC.GetAllocatedBytesForCurrentThread() - before) / 10;
    }

    private static async Task AssertSameAsMimeKit(string text, string? html, EncodingConstraint constraint, int maxLineLength, string kind)
    {
        using var ours = MimeMessageBuilder.Build(TestMessages.Create(text: text, html: html, messageId: "fixed@example.com"));
        using var theirs = Reference(ours, text, html);
        ours.Prepare(constraint, maxLineLength);
        theirs.Prepare(constraint, maxLineLength);
        var because = $"{kind}, {constraint}/{maxLineLength}";

        var oursParts = ours.BodyParts.OfType<MimePart>().Select(p => p.ContentTransferEncoding).ToList();
        var theirsParts = theirs.BodyParts.OfType<MimePart>().Select(p => p.ContentTransferEncoding).ToList();
        Assert.True(theirsParts.SequenceEqual(oursParts), $"{because}: {string.Join(",", oursParts)} instead of {string.Join(",", theirsParts)}");
        foreach (var format in new[] { Wire, Unix })
        {
            var expected = Latin1(Write(theirs, format));
            Assert.True(expected == Latin1(Write(ours, format)), $"{because}, {format.NewLineFormat}, sync");
            Assert.True(expected == Latin1(await WriteAsync(ours, format)), $"{because}, {format.NewLineFormat}, async");

            // SIZE: the parts count their bytes into MimeKit's measuring stream instead of writing them.
            using var measure = new MimeKit.IO.MeasuringStream();
            ours.WriteTo(format, measure);
            Assert.True(expected.Length == measure.Length, $"{because}, {format.NewLineFormat}: measured {measure.Length} for {expected.Length}");
        }
    }

    /// <summary>The same message with MimeKit's own text parts (and the same multipart boundary).</summary>
    private static MimeMessage Reference(MimeMessage ours, string text, string? html)
    {
        var reference = MimeMessageBuilder.Build(TestMessages.Create(text: text, html: html, messageId: ours.MessageId));
        reference.Date = ours.Date;
        using var built = reference.Body;
        var plain = MimeKitPart("plain", text);
        if (html is null)
        {
            reference.Body = plain;
        }
        else
        {
            var alternative = new MultipartAlternative { plain, MimeKitPart("html", html) };
            alternative.ContentType.Boundary = ((Multipart)ours.Body!).Boundary;
            reference.Body = alternative;
        }

        return reference;
    }

    private static TextPart MimeKitPart(string subtype, string text)
    {
        var part = new TextPart(subtype);
        var bareCr = text.Replace("\r\n", "", StringComparison.Ordinal).Contains('\r', StringComparison.Ordinal);
        part.SetText(Encoding.UTF8, bareCr ? text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n') : text);
        return part;
    }

    private static byte[] Write(MimeMessage message, FormatOptions format)
    {
        using var output = new MemoryStream();
        message.WriteTo(format, output);
        return output.ToArray();
    }

    private static async Task<byte[]> WriteAsync(MimeMessage message, FormatOptions format)
    {
        using var output = new MemoryStream();
        await message.WriteToAsync(format, output);
        return output.ToArray();
    }

    private static string Latin1(byte[] bytes) => Encoding.Latin1.GetString(bytes);
}
