using FsCheck;
using FsCheck.Fluent;
using Notifier.Smtp.Messages;
using Notifier.Smtp.Tests.Servers;

namespace Notifier.Smtp.Tests.Mime;

/// <summary>
/// Properties over arbitrary Unicode: the structure of the output never depends on the text (line lengths,
/// CRLF only, no header line made from user text), and Python's email package reads back exactly what was written.
/// </summary>
public sealed class MimeMessagePropertyTests
{
    private static readonly string[] SinglePartHeaders =
        ["From", "Date", "Subject", "Message-Id", "To", "X-Notifier-Reason", "MIME-Version", "Content-Type", "Content-Transfer-Encoding"];

    private static readonly string[] MultipartHeaders =
        ["From", "Date", "Subject", "Message-Id", "To", "X-Notifier-Reason", "MIME-Version", "Content-Type"];

    public sealed record MessageCase(string Subject, string DisplayName, string Reason, string Text, string? Html);

    private static Gen<MessageCase> Cases { get; } = CasesOf(UnicodeGenerators.HeaderText);

    /// <summary>What Python grades: the text events carry (see <see cref="UnicodeGenerators.EventText"/>).</summary>
    private static Gen<MessageCase> EventCases { get; } = CasesOf(UnicodeGenerators.EventText);

    private static Gen<MessageCase> CasesOf(Gen<string> headerText) =>
        from subject in headerText
        from name in UnicodeGenerators.DisplayName
        from reason in headerText
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
            // RFC 5322's hard limit; MimeKit keeps an encoded word whole, so after a long field name a line can pass
            // the recommended 78 (the builder encodes for 72 to keep ordinary headers within it).
            Assert.All(TestMessages.Lines(header), l => Assert.True(l.Length <= 998, $"header line of {l.Length}: {l}"));
            var body = raw[(header.Length + 4)..];
            // MimeKit's quoted-printable lines are 76 characters, occasionally one more after a multi-byte sequence.
            Assert.All(TestMessages.Lines(body), l => Assert.True(l.Length <= 78, $"body line of {l.Length}: {l}"));
            // MimeKit leaves out Content-Transfer-Encoding for a 7bit body (RFC 2045's default).
            static IEnumerable<string> Structure(IEnumerable<string> names) => names.Where(n => n != "Content-Transfer-Encoding");
            Assert.Equal(Structure(c.Html is null ? SinglePartHeaders : MultipartHeaders), Structure(TestMessages.HeaderNames(raw)));
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
    [Trait("Category", "Integration")]
    public async Task PythonsEmailPackageDecodesTheSameSubjectDisplayNameHeaderAndBodies()
    {
        var cases = EventCases.Sample(60, 400).ToList();
        var raws = cases.Select(c => MimeMessageBuilder.ToArray(Build(c))).ToList();

        IReadOnlyList<DecodedMessage> decoded;
        try
        {
            decoded = await PythonEmailParser.DecodeAsync(raws);
        }
        catch (InvalidOperationException e) when (e.Message.Contains("could not parse message ", StringComparison.Ordinal))
        {
            var index = int.Parse(e.Message.Split("could not parse message ")[1].Split(':')[0], System.Globalization.CultureInfo.InvariantCulture);
            throw new InvalidOperationException($"{e.Message}\n{TestMessages.HeaderBlock(TestMessages.Raw(Build(cases[index])))}", e);
        }

        for (var i = 0; i < cases.Count; i++)
        {
            var c = cases[i];
            var d = decoded[i];
            var context = $"case {i}: {Shorten(System.Text.Json.JsonSerializer.Serialize(c))}";
            Assert.True(d.Defects.Count == 0, $"defects: {string.Join(", ", d.Defects)}\n{context}\n{TestMessages.HeaderBlock(TestMessages.Raw(Build(c)))}");
            // White space around a header value does not survive the trip (the renderer trims it anyway).
            Assert.True(c.Subject.Trim() == d.Subject, $"subject differs at {Diff(c.Subject.Trim(), d.Subject)}\n{context}\nsubject: [{d.Subject}]");
            Assert.True(c.Reason.Trim() == (d.Header("X-Notifier-Reason") ?? ""), $"{context}\nreason: [{d.Header("X-Notifier-Reason")}]");
            // A display name is a phrase: runs of white space in it are folding white space to a reader.
            var expectedName = Spaces(string.IsNullOrWhiteSpace(c.DisplayName) ? "" : c.DisplayName.Trim());
            if (d.RawTo.Contains("=?utf-8?", StringComparison.Ordinal))
            {
                // Python 3.11's address parser keeps the whitespace between adjacent encoded words, which
                // RFC 2047 section 6.2 says to ignore (and then misreads some names); its RFC 2047 decoder (email.header)
                // follows the RFC and must read the name exactly.
                Assert.True(expectedName + " <jane@example.com>" == Spaces(d.ToRfc2047), $"name differs at {Diff(expectedName + " <jane@example.com>", Spaces(d.ToRfc2047))}\n{context}\nname: [{d.ToRfc2047}]");
            }
            else
            {
                Assert.True(expectedName == Spaces(d.To[0].Name), $"name differs at {Diff(expectedName, Spaces(d.To[0].Name))}\n{context}\nname: [{d.To[0].Name}]");
            }
            Assert.Equal("jane@example.com", d.To[0].Address);
            AssertBody(Normalised(c.Text), d.TextLf, singlePart: c.Html is null, context);
            if (c.Html is not null)
            {
                AssertBody(Normalised(c.Html), d.HtmlLf, singlePart: false, context);
            }
        }
    }

    private static string Spaces(string? text) => System.Text.RegularExpressions.Regex.Replace(text ?? "", @"\s+", " ");

    private static string Diff(string expected, string? actual)
    {
        actual ??= "";
        var i = 0;
        while (i < expected.Length && i < actual.Length && expected[i] == actual[i])
        {
            i++;
        }

        static string Around(string s, int at) => s.Substring(Math.Max(0, at - 10), Math.Min(30, s.Length - Math.Max(0, at - 10))).Replace(" ", "·", StringComparison.Ordinal);
        return $"{i}: expected [{Around(expected, i)}] actual [{Around(actual, i)}] ({expected.Length} vs {actual.Length})";
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
            MimeMessageBuilder.ToArray(message);
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
