using FsCheck;
using FsCheck.Fluent;
using Notifier.Smtp.Messages;
using Notifier.Smtp.Mime;
using Notifier.Smtp.Tests.Servers;

namespace Notifier.Smtp.Tests.Mime;

/// <summary>
/// Properties over arbitrary Unicode: the structure of the output never depends on the text (line lengths,
/// CRLF only, no header line made from user text), and Python's email package reads back exactly what was written.
/// </summary>
public sealed class MimeWriterPropertyTests
{
    private static readonly string[] SinglePartHeaders =
        ["From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "X-Notifier-Reason", "Content-Type", "Content-Transfer-Encoding"];

    private static readonly string[] MultipartHeaders =
        ["From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "X-Notifier-Reason", "Content-Type"];

    public sealed record MessageCase(string Subject, string DisplayName, string Reason, string Text, string? Html);

    private static Gen<MessageCase> Cases { get; } =
        from subject in UnicodeGenerators.HeaderText
        from name in UnicodeGenerators.HeaderText
        from reason in UnicodeGenerators.HeaderText
        from text in UnicodeGenerators.BodyText
        from hasHtml in Gen.Elements(true, false)
        from html in UnicodeGenerators.BodyText
        select new MessageCase(subject, name, reason, text, hasHtml ? html : null);

    [Fact]
    public void EveryLineIsShortAndEndsWithCrlfAndNoHeaderComesFromUserText()
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(500), Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            var raw = TestMessages.Raw(Build(c));
            var bare = raw.Replace("\r\n", "", StringComparison.Ordinal);
            var header = TestMessages.HeaderBlock(raw);
            Assert.False(bare.Contains('\r') || bare.Contains('\n'), "a bare CR or LF");
            Assert.EndsWith("\r\n", raw, StringComparison.Ordinal);
            Assert.All(TestMessages.Lines(raw), l => Assert.True(l.Length <= 998, $"line of {l.Length}"));
            Assert.All(TestMessages.Lines(header), l => Assert.True(l.Length <= 78, $"header line of {l.Length}: {l}"));
            var body = raw[(header.Length + 4)..];
            Assert.All(TestMessages.Lines(body), l => Assert.True(l.Length <= 76, $"body line of {l.Length}: {l}"));
            Assert.Equal(c.Html is null ? SinglePartHeaders : MultipartHeaders, TestMessages.HeaderNames(raw));
            Assert.True(raw.All(ch => ch is > '\0' and < '\u0080'), "not 7-bit text (or a NUL byte)");
        }));
    }

    [Fact]
    public void ArbitraryTextWithControlCharactersIsRefusedOrCannotAddAHeader()
    {
        var withControls =
            from text in UnicodeGenerators.HeaderText
            from control in Gen.Elements("\r", "\n", "\r\n", "\r\nBcc: x@example.com", "\0", "\u0085", "\u2028", "\t", "\u001b")
            from at in Gen.Choose(0, 100)
            select text.Insert(Math.Min(at, text.Length), control);

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), Prop.ForAll(withControls.ToArbitrary(), value =>
        {
            var refusedAsSubject = Refused(TestMessages.Create(subject: value));
            var refusedAsHeader = Refused(TestMessages.Create(headers: [new("X-Notifier-Reason", value)]));
            return refusedAsSubject && refusedAsHeader;
        }));
    }

    [Fact]
    public async Task PythonsEmailPackageDecodesTheSameSubjectDisplayNameHeaderAndBodies()
    {
        var cases = Cases.Sample(60, 400).ToList();
        var raws = cases.Select(c => MimeWriter.ToArray(Build(c))).ToList();

        var decoded = await PythonEmailParser.DecodeAsync(raws);

        for (var i = 0; i < cases.Count; i++)
        {
            var c = cases[i];
            var d = decoded[i];
            var context = $"case {i}: {Shorten(System.Text.Json.JsonSerializer.Serialize(c))}";
            Assert.True(d.Defects.Count == 0, $"defects: {string.Join(", ", d.Defects)}\n{context}\n{TestMessages.HeaderBlock(TestMessages.Raw(Build(c)))}");
            Assert.True(c.Subject == d.Subject, $"{context}\nsubject: [{d.Subject}]");
            Assert.True(c.Reason == (d.Header("X-Notifier-Reason") ?? ""), $"{context}\nreason: [{d.Header("X-Notifier-Reason")}]");
            var expectedName = string.IsNullOrWhiteSpace(c.DisplayName) ? "" : c.DisplayName.Trim();
            if (d.RawTo.Contains("=?utf-8?", StringComparison.Ordinal))
            {
                // Python 3.11's address parser keeps the whitespace between adjacent encoded words, which
                // RFC 2047 section 6.2 says to ignore (and then misreads some names); its RFC 2047 decoder (email.header)
                // follows the RFC and must read the name exactly.
                Assert.True(expectedName + " <jane@example.com>" == d.ToRfc2047, $"{context}\nname: [{d.ToRfc2047}]");
            }
            else
            {
                Assert.True(expectedName == d.To[0].Name, $"{context}\nname: [{d.To[0].Name}]");
            }
            Assert.Equal("jane@example.com", d.To[0].Address);
            AssertBody(Normalised(c.Text), d.TextLf, singlePart: c.Html is null, context);
            if (c.Html is not null)
            {
                AssertBody(Normalised(c.Html), d.HtmlLf, singlePart: false, context);
            }
        }
    }

    private static string Shorten(string text) => text.Length <= 3000 ? text : text[..3000] + "…";

    private static EmailMessage Build(MessageCase c) => TestMessages.Create(
        subject: c.Subject,
        to: [new Mailbox("jane@example.com", c.DisplayName)],
        text: c.Text,
        html: c.Html,
        headers: [new("X-Notifier-Reason", c.Reason)]);

    private static bool Refused(EmailMessage message)
    {
        try
        {
            MimeWriter.ToArray(message);
            return false;
        }
        catch (ArgumentException)
        {
            return true;
        }
    }

    private static string Normalised(string text) =>
        text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');

    private static void AssertBody(string expected, string? actual, bool singlePart, string context)
    {
        // A message ends with a line break, so a single-part body without one reads back with one added.
        var matches = actual == expected || (singlePart && !expected.EndsWith('\n') && actual == expected + "\n");
        Assert.True(matches, $"{context}\nbody expected: [{Shorten(expected)}]\nactual: [{Shorten(actual ?? "(none)")}]");
    }
}
