using System.Buffers;
using System.Text;
using Notifier.Smtp.Messages;
using Notifier.Smtp.Mime;
using Notifier.Smtp.Tests.Servers;

namespace Notifier.Smtp.Tests.Mime;

public sealed class MimeWriterTests
{
    [Fact]
    public void WritesTheStandardHeadersInOrderThenTheExtraHeaders()
    {
        var raw = TestMessages.Raw(TestMessages.Create(headers:
        [
            new("Auto-Submitted", "auto-generated"),
            new("X-Notifier-Event", "pullrequest.opened"),
        ]));

        Assert.Equal(
            ["From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Auto-Submitted", "X-Notifier-Event", "Content-Type", "Content-Transfer-Encoding"],
            TestMessages.HeaderNames(raw));
        Assert.StartsWith("From: Code Review <noreply@example.com>\r\nTo: Jane Doe <jane@example.com>\r\nSubject: Hello\r\n", raw, StringComparison.Ordinal);
        Assert.Contains("\r\nDate: Sun, 22 Nov 2026 03:18:17 +0100\r\n", raw, StringComparison.Ordinal);
        Assert.Contains("\r\nMIME-Version: 1.0\r\n", raw, StringComparison.Ordinal);
        Assert.Contains("\r\nContent-Type: text/plain; charset=utf-8\r\n", raw, StringComparison.Ordinal);
    }

    [Fact]
    public void GeneratesAMessageIdInTheSendersDomainWhenThereIsNone()
    {
        var first = TestMessages.Raw(TestMessages.Create());
        var second = TestMessages.Raw(TestMessages.Create());

        var id = MessageIdOf(first);
        Assert.Matches("^<[0-9a-f]{32}@example\\.com>$", id);
        Assert.NotEqual(id, MessageIdOf(second));
    }

    [Fact]
    public void KeepsAGivenMessageId()
    {
        var raw = TestMessages.Raw(TestMessages.Create(messageId: "pr-42.1@notifier.example.com"));

        Assert.Equal("<pr-42.1@notifier.example.com>", MessageIdOf(raw));
    }

    [Fact]
    public void ReportsTheMessageIdItWrote()
    {
        var buffer = new ArrayBufferWriter<byte>();
        MimeWriter.WriteTo(TestMessages.Create(), buffer, out var id);

        Assert.Equal($"<{id}>", MessageIdOf(Encoding.ASCII.GetString(buffer.WrittenSpan)));
    }

    [Fact]
    public void PunycodesAnInternationalSenderDomainInTheMessageId()
    {
        var id = MimeWriter.CreateMessageId(new Mailbox("noreply@bücher.example"));

        Assert.EndsWith("@xn--bcher-kva.example", id, StringComparison.Ordinal);
    }

    [Fact]
    public void WritesTextOnlyMessagesAsOneTextPlainPart()
    {
        var raw = TestMessages.Raw(TestMessages.Create(text: "Line one\nLine two\n"));

        Assert.DoesNotContain("multipart", raw, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\nLine one\r\nLine two\r\n", raw, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WritesTextAndHtmlAsMultipartAlternativeTextFirst()
    {
        var message = TestMessages.Create(text: "Plain café\n", html: "<p>Rich café</p>\n");
        var raw = MimeWriter.ToArray(message);

        var decoded = await PythonEmailParser.DecodeAsync(raw);

        Assert.Equal("multipart/alternative", decoded.ContentType);
        Assert.Equal(["text/plain", "text/html"], decoded.Parts.Select(p => p.ContentType));
        Assert.All(decoded.Parts, p => Assert.Equal("utf-8", p.Charset));
        Assert.Equal("Plain café\n", decoded.TextLf);
        Assert.Equal("<p>Rich café</p>\n", decoded.HtmlLf);
        Assert.Empty(decoded.Defects);
    }

    [Fact]
    public void ChoosesABoundaryThatCannotOccurInEncodedContent()
    {
        var raw = TestMessages.Raw(TestMessages.Create(text: "a", html: "b"));

        var boundary = BoundaryOf(raw);
        Assert.StartsWith("=_", boundary, StringComparison.Ordinal);
        Assert.Equal(3, CountOf(raw, "--" + boundary));
        Assert.EndsWith($"\r\n--{boundary}--\r\n", raw, StringComparison.Ordinal);
        Assert.NotEqual(boundary, BoundaryOf(TestMessages.Raw(TestMessages.Create(text: "a", html: "b"))));
    }

    [Fact]
    public void EncodesMostlyAsciiBodiesAsQuotedPrintableAndMostlyNonAsciiAsBase64()
    {
        var latin = TestMessages.Raw(TestMessages.Create(text: "Le café est prêt, voilà.\n"));
        var cjk = TestMessages.Raw(TestMessages.Create(text: "日本語のテキストです。プルリクエストが承認されました。\n"));

        Assert.Contains("Content-Transfer-Encoding: quoted-printable", latin, StringComparison.Ordinal);
        Assert.Contains("caf=C3=A9", latin, StringComparison.Ordinal);
        Assert.Contains("Content-Transfer-Encoding: base64", cjk, StringComparison.Ordinal);
    }

    [Fact]
    public void QuotedPrintableBreaksLongLinesSoftlyAndKeepsLeadingDots()
    {
        var longLine = string.Concat(Enumerable.Repeat("0123456789", 150));
        var raw = TestMessages.Raw(TestMessages.Create(text: $"{longLine}\n.\n..hidden\n"));

        var body = raw[(raw.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
        Assert.All(TestMessages.Lines(body), l => Assert.True(l.Length <= 76, $"line of {l.Length}"));
        Assert.Contains("=\r\n", body, StringComparison.Ordinal);
        Assert.Contains("\r\n.\r\n..hidden\r\n", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(76, "x76")]
    [InlineData(77, "x75=|x2")]
    [InlineData(151, "x75=|x76")]
    [InlineData(152, "x75=|x75=|x2")]
    public void QuotedPrintableUsesAll76ColumnsOnlyForTheLastCharacterOfALine(int length, string expected)
    {
        var raw = TestMessages.Raw(TestMessages.Create(text: new string('x', length) + "\n"));

        var body = raw[(raw.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
        var shape = string.Join('|', TestMessages.Lines(body.TrimEnd('\r', '\n')).Select(Shape));
        Assert.Equal(expected, shape);
    }

    [Fact]
    public void QuotedPrintableNeverSplitsAnEscapeAcrossASoftBreak()
    {
        var raw = TestMessages.Raw(TestMessages.Create(text: new string('x', 74) + "ééé" + new string('y', 80) + " \n"));

        var body = raw[(raw.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
        Assert.StartsWith(new string('x', 74) + "=\r\n=C3=A9=C3=A9=C3=A9", body, StringComparison.Ordinal);
        Assert.All(TestMessages.Lines(body), l => Assert.True(l.Length <= 76, $"line of {l.Length}"));
        Assert.EndsWith("y=20\r\n", body, StringComparison.Ordinal);
    }

    [Fact]
    public void QuotedPrintableEncodesTrailingWhitespaceAndEqualsSigns()
    {
        var raw = TestMessages.Raw(TestMessages.Create(text: "a = b \nend\t"));

        Assert.EndsWith("a =3D b=20\r\nend=09\r\n", raw, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("one\ntwo\n")]
    [InlineData("one\rtwo\r")]
    [InlineData("one\r\ntwo\r\n")]
    [InlineData("one\n\rtwo\r\n")]
    public void NormalisesEveryLineBreakToCrlf(string text)
    {
        var raw = TestMessages.Raw(TestMessages.Create(text: text));

        Assert.DoesNotContain('\n', raw.Replace("\r\n", "", StringComparison.Ordinal));
        Assert.DoesNotContain('\r', raw.Replace("\r\n", "", StringComparison.Ordinal));
        Assert.Contains("one\r\n", raw, StringComparison.Ordinal);
    }

    [Fact]
    public void NormalisesLineBreaksInBase64Bodies()
    {
        var raw = MimeWriter.ToArray(TestMessages.Create(text: "日本語\n中文\r한국어\r\n"));
        var text = Encoding.ASCII.GetString(raw);
        var body = text[(text.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];

        Assert.Contains("base64", text, StringComparison.Ordinal);
        Assert.Equal("日本語\r\n中文\r\n한국어\r\n", Encoding.UTF8.GetString(Convert.FromBase64String(body.Replace("\r\n", "", StringComparison.Ordinal))));
    }

    [Fact]
    public void EncodesANonAsciiSubjectAsUtf8EncodedWordsOfAtMost75Characters()
    {
        var subject = "Revue de code : « Améliorer la page d'accueil » — 评审 🎉 " + new string('é', 60);
        var raw = TestMessages.Raw(TestMessages.Create(subject: subject));

        var words = System.Text.RegularExpressions.Regex.Matches(raw, @"=\?utf-8\?[bq]\?[^?]*\?=");
        Assert.NotEmpty(words);
        Assert.All(words, w => Assert.True(w.Length <= 75, $"encoded word of {w.Length}"));
        Assert.All(TestMessages.Lines(TestMessages.HeaderBlock(raw)), l => Assert.True(l.Length <= 78, $"header line of {l.Length}: {l}"));
        Assert.True(System.Text.Ascii.IsValid(raw), "the message must be 7-bit");
    }

    [Fact]
    public async Task NeverSplitsAnEncodedWordInsideASurrogatePairOrUtf8Sequence()
    {
        // Emoji are surrogate pairs of 4 UTF-8 bytes; any split inside one would decode to replacement characters.
        var subject = string.Concat(Enumerable.Repeat("😀", 40)) + "é" + string.Concat(Enumerable.Repeat("𝄞a", 30));
        var raw = MimeWriter.ToArray(TestMessages.Create(subject: subject));

        var words = System.Text.RegularExpressions.Regex.Matches(Encoding.ASCII.GetString(raw), @"=\?utf-8\?b\?([^?]*)\?=");
        Assert.True(words.Count > 3);
        foreach (System.Text.RegularExpressions.Match word in words)
        {
            var bytes = Convert.FromBase64String(word.Groups[1].Value);
            Assert.Equal(bytes, Encoding.UTF8.GetBytes(new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes)));
        }

        Assert.Equal(subject, (await PythonEmailParser.DecodeAsync(raw)).Subject);
    }

    [Fact]
    public void FoldsALongAsciiSubjectAtSpacesWithoutChangingIt()
    {
        var subject = string.Join(' ', Enumerable.Range(1, 40).Select(i => $"word{i}"));
        var raw = TestMessages.Raw(TestMessages.Create(subject: subject));
        var header = TestMessages.HeaderBlock(raw);
        var subjectLines = header[header.IndexOf("Subject:", StringComparison.Ordinal)..header.IndexOf("\r\nDate:", StringComparison.Ordinal)];

        Assert.Contains("\r\n word", subjectLines, StringComparison.Ordinal);
        Assert.DoesNotContain("=?", subjectLines, StringComparison.Ordinal);
        Assert.All(TestMessages.Lines(subjectLines), l => Assert.True(l.Length <= 78));
        Assert.Equal("Subject: " + subject, subjectLines.Replace("\r\n", "", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EncodesAnUnbreakableWordLongerThanALineSoItCanBeFolded()
    {
        var subject = "See https://bitbucket.example.com/projects/PROJ/repos/repo/pull-requests/42/overview?commentId=123456789";
        var raw = MimeWriter.ToArray(TestMessages.Create(subject: subject));
        var text = Encoding.ASCII.GetString(raw);

        Assert.All(TestMessages.Lines(TestMessages.HeaderBlock(text)), l => Assert.True(l.Length <= 78, $"header line of {l.Length}: {l}"));
        Assert.StartsWith("Subject: See =?utf-8?", text[text.IndexOf("Subject:", StringComparison.Ordinal)..], StringComparison.Ordinal);
        Assert.Equal(subject, (await PythonEmailParser.DecodeAsync(raw)).Subject);
    }

    [Theory]
    [InlineData("Subject")]
    [InlineData("X-Notifier-A-Rather-Long-Header-Name-Of-50-Chars-X")]
    public async Task NeverFoldsBetweenTheColonAndTheFirstWord(string name)
    {
        // Parsers keep whitespace folded in right after the colon as part of the value.
        var value = new string('x', 74) + " ,Zß😀";
        var message = name == "Subject" ? TestMessages.Create(subject: value) : TestMessages.Create(headers: [new(name, value)]);
        var raw = MimeWriter.ToArray(message);
        var text = Encoding.ASCII.GetString(raw);

        Assert.Matches($"\r\n{name}: \\S", text);
        Assert.All(TestMessages.Lines(TestMessages.HeaderBlock(text)), l => Assert.True(l.Length <= 78, $"header line of {l.Length}: {l}"));
        var decoded = await PythonEmailParser.DecodeAsync(raw);
        Assert.Equal(value, decoded.Header(name));
    }

    [Fact]
    public void KeepsLongIdentifiersInReferencesIntact()
    {
        var id = $"<{new string('r', 90)}@notifier.example.com>";
        var raw = TestMessages.Raw(TestMessages.Create(headers: [new("References", $"<a@b.example> {id}")]));

        Assert.Contains($"References: <a@b.example>\r\n {id}\r\n", raw, StringComparison.Ordinal);
    }

    [Fact]
    public void EncodesTextThatLooksLikeAnEncodedWord()
    {
        // Left as is, readers would decode "=?utf-8?q?x?=" into "x" and show a different subject.
        var raw = TestMessages.Raw(TestMessages.Create(subject: "literal =?utf-8?q?x?= text"));

        Assert.DoesNotContain("=?utf-8?q?x?=", raw, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Jane Doe", "From: Jane Doe <jane@example.com>")]
    [InlineData("Doe, Jane", "From: \"Doe, Jane\" <jane@example.com>")]
    [InlineData("Jane \"JD\" Doe", "From: \"Jane \\\"JD\\\" Doe\" <jane@example.com>")]
    [InlineData("Back\\slash (x)", "From: \"Back\\\\slash (x)\" <jane@example.com>")]
    [InlineData("Jörg", "From: =?utf-8?q?J=C3=B6rg?= <jane@example.com>")]
    public void WritesDisplayNamesAsAtomsQuotedStringsOrEncodedWords(string name, string expected)
    {
        var raw = TestMessages.Raw(TestMessages.Create(from: new Mailbox("jane@example.com", name)));

        Assert.StartsWith(expected + "\r\n", raw, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FoldsManyRecipientsBetweenMailboxes()
    {
        var to = Enumerable.Range(1, 12).Select(i => new Mailbox($"user{i}@example.com", $"Ünïcødé Üser {i}, Esq.")).ToList();
        to.Add(new Mailbox("plain@example.com", "Doe, \"Plain\" Jane"));
        var raw = MimeWriter.ToArray(TestMessages.Create(to: to));
        var text = Encoding.ASCII.GetString(raw);

        Assert.All(TestMessages.Lines(TestMessages.HeaderBlock(text)), l => Assert.True(l.Length <= 78, $"header line of {l.Length}: {l}"));
        var decoded = await PythonEmailParser.DecodeAsync(raw);
        Assert.Equal(to.Select(m => (m.DisplayName, m.Address)), decoded.To.Select(a => ((string?)a.Name, a.Address)));
        Assert.Empty(decoded.Defects);
    }

    [Fact]
    public void WritesAnUndisclosedRecipientsGroupWhenOnlyTheEnvelopeHasRecipients()
    {
        var message = new EmailMessage
        {
            From = TestMessages.Sender,
            To = [],
            EnvelopeRecipients = [new Mailbox("hidden@example.com")],
            Subject = "s",
            TextBody = "b",
        };

        Assert.Contains("\r\nTo: undisclosed-recipients:;\r\n", TestMessages.Raw(message), StringComparison.Ordinal);
    }

    [Fact]
    public void KeepsInternationalAddressesAsUtf8()
    {
        var raw = MimeWriter.ToArray(TestMessages.Create(to: [new Mailbox("jörg@bücher.example")]));

        Assert.Contains("\r\nTo: jörg@bücher.example\r\n", Encoding.UTF8.GetString(raw), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WritesHeaderBlocksLargerThanOneOutputChunkIntact()
    {
        // Over 4 KB of headers makes the writer ask its output for more room in the middle of a header.
        var to = Enumerable.Range(0, 150).Select(i => new Mailbox($"reviewer{i}@example.com", $"Reviewer Nummer {i}")).ToList();
        var raw = MimeWriter.ToArray(TestMessages.Create(to: to, messageId: "pr-42@notifier.example.com"));

        Assert.True(TestMessages.HeaderBlock(Encoding.ASCII.GetString(raw)).Length > 4096);
        Assert.DoesNotContain((byte)0, raw);
        var decoded = await PythonEmailParser.DecodeAsync(raw);
        Assert.Equal(to.Select(m => m.Address), decoded.To.Select(a => a.Address));
        Assert.Equal("<pr-42@notifier.example.com>", decoded.MessageId);
        Assert.Empty(decoded.Defects);
    }

    [Fact]
    public void WritesThroughAnyBufferWriterExactlyWhatToArrayReturns()
    {
        var message = TestMessages.Create(text: new string('x', 20_000), html: "<p>" + new string('é', 9_000) + "</p>");
        var tiny = new ArrayBufferWriter<byte>(1);

        MimeWriter.WriteTo(message, tiny);

        var withoutDynamicParts = (string s) => System.Text.RegularExpressions.Regex.Replace(s, "=_notifier_[0-9a-f]{32}|<[0-9a-f]{32}@", "X");
        Assert.Equal(
            withoutDynamicParts(Encoding.ASCII.GetString(MimeWriter.ToArray(message))),
            withoutDynamicParts(Encoding.ASCII.GetString(tiny.WrittenSpan)));
    }

    /// <summary>"xxxxx=" as "x5=": runs of one character with their length, for readable line shapes.</summary>
    private static string Shape(string line)
    {
        var parts = new List<string>();
        for (var i = 0; i < line.Length;)
        {
            var j = i;
            while (j < line.Length && line[j] == line[i])
            {
                j++;
            }

            parts.Add(line[i] == '=' ? line[i..j] : $"{line[i]}{j - i}");
            i = j;
        }

        return string.Concat(parts);
    }

    private static string MessageIdOf(string raw)
    {
        var start = raw.IndexOf("\r\nMessage-ID: ", StringComparison.Ordinal) + 14;
        return raw[start..raw.IndexOf("\r\n", start, StringComparison.Ordinal)];
    }

    private static string BoundaryOf(string raw)
    {
        var start = raw.IndexOf("boundary=\"", StringComparison.Ordinal) + 10;
        return raw[start..raw.IndexOf('"', start)];
    }

    private static int CountOf(string text, string value)
    {
        var count = 0;
        for (var i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
