using System.Text;
using FsCheck;
using FsCheck.Fluent;
using MimeKit;
using Notifier.Smtp.Messages;

namespace Notifier.Smtp.Tests.Mime;

/// <summary>
/// The builder writes plain header values itself (ASCII text, plain names and addresses, dot-atom ids) and leaves
/// the rest to MimeKit. The header block must be byte for byte what MimeKit's own API makes of the same message:
/// <see cref="MimeKitHeaders"/> builds it that way (the builder's code before it formatted anything itself).
/// </summary>
public sealed class HeaderBytesTests
{
    private static readonly DateTimeOffset When = new(2026, 11, 22, 3, 18, 17, TimeSpan.FromHours(1));

    public static TheoryData<string> Subjects => new()
    {
        "Hello",
        "[Bitbucket] [PAY/ledger-service] Add retry budget to the settlement client (PR #482)",
        "Re: [Bitbucket] [PAY/ledger-service] Add retry budget to the settlement client (PR #482) and more words to fold twice over the limit of seventy-eight",
        "two  spaces  between   words",
        " leading and trailing spaces ",
        "quotes \"and\" (comments) <angle> back\\slash, commas; colons: dots. at@sign",
        "=?utf-8?q?looks_encoded?= but is not",
        "a=?b",
        "x" + new string('y', 68),
        "x" + new string('y', 69),
        "x" + new string('y', 70),
        "short " + new string('w', 71),
        "short " + new string('w', 77),
        "short " + new string('w', 90),
        new string('w', 120),
        "Grüße aus Zürich",
        "日本語の件名：プルリクエスト #42 が承認されました 🎉",
        "",
        " ",
        "Subject\u00a0with a no-break space",
    };

    [Theory]
    [MemberData(nameof(Subjects))]
    public void SubjectsAreMimeKits(string subject) =>
        AssertSameHeaders(Message(subject: subject));

    public static TheoryData<string?, string> Mailboxes => new()
    {
        { null, "jane@example.com" },
        { "Jane Doe", "jane@example.com" },
        { "Code Review", "noreply@example.com" },
        { "O'Brien-Smith Jr", "o.brien+tag@mail.example.co.uk" },
        { "Tomás Álvarez", "tomas.alvarez@example.com" },
        { "Zoë Ångström-李", "reviewer@example.com" },
        { "Jane Q. Public", "jane@example.com" },
        { "Doe, Jane", "jane@example.com" },
        { "\"Quoted\"", "jane@example.com" },
        { "=?utf-8?q?x?=", "jane@example.com" },
        { "A very long display name that goes on and on and on and on past the line", "someone.with.a.long.address@subdomain.example.com" },
        { "Jane", "Jane.Doe@EXAMPLE.com" },
        { "Jane", "jane@bücher.example" },
        { "Jane", "jäne@example.com" },
        { "Jane", "a!#$%&'*/=?^_`{|}~-b@example.com" },
    };

    [Theory]
    [MemberData(nameof(Mailboxes))]
    public void FromAndToAreMimeKits(string? name, string address)
    {
        var mailbox = new Mailbox(address, name);
        AssertSameHeaders(Message(sender: mailbox));
        AssertSameHeaders(Message(to: [mailbox]));
        AssertSameHeaders(Message(to: [mailbox, new Mailbox("second@example.com", "Second Person"), new Mailbox("third@example.com")]));
    }

    [Fact]
    public void NoVisibleRecipientsIsMimeKits() => AssertSameHeaders(Message(to: []));

    public static TheoryData<string> MessageIds => new()
    {
        "evt-2026-11-21-pullrequest-opened-1001.23fb7ca06be5.25abadee6c8a167c@notifier.example.com",
        "abc@example.com",
        "a.b.c@d.e",
        "a..b@example.com",
        ".a@example.com",
        "a@[192.0.2.1]",
        "a!#$%&'*/=?^_`{|}~@example.com",
        "x@y",
    };

    [Theory]
    [MemberData(nameof(MessageIds))]
    public void MessageIdsAreMimeKits(string id) => AssertSameHeaders(Message(messageId: id));

    public static TheoryData<string, string> Extras => new()
    {
        { "In-Reply-To", "<pr.PAY.ledger-service.482@notifier.example.com>" },
        { "References", "<pr.PAY.ledger-service.482@notifier.example.com>" },
        { "References", "<a@example.com> <b@example.com>  <c@example.com>" },
        { "References", string.Join(" ", Enumerable.Range(0, 6).Select(i => $"<thread.{i}.{new string('r', 20)}@notifier.example.com>")) },
        { "References", "<a@example.com> junk" },
        { "References", "<a..b@example.com>" },
        { "In-Reply-To", "  <spaced@example.com>  " },
        { "In-Reply-To", "not an id at all" },
        { "Auto-Submitted", "auto-generated" },
        { "X-Auto-Response-Suppress", "All" },
        { "List-Id", "PAY/ledger-service <ledger-service.pay.notifier.example.com>" },
        { "X-Notifier-Event", "pullrequest.opened" },
        { "X-Notifier-Reason", "reviewer — “quoted”" },
        { "X-Long", string.Join(" ", Enumerable.Repeat("word", 40)) },
        { "X-Very-Long-Header-Name-That-Takes-Up-Forty-Chars", "value with several words in it to pass the line" },
        { "Reply-To", "Jane Doe <jane@example.com>" },
        { "Cc", "a@example.com, Bob <b@example.com>" },
        { "List-Unsubscribe", "<mailto:unsubscribe@example.com>, <https://example.com/u>" },
        { "Received", "from a by b; Mon, 30 Nov 2026 00:00:00 +0000" },
        { "Keywords", "one, two" },
        { "Comments", "(a comment) and text" },
        { "Original-Message-Id", "<o@example.com>" },
        { "Resent-Message-Id", "<r@example.com>" },
        { "x-lower-case", "value" },
    };

    [Theory]
    [MemberData(nameof(Extras))]
    public void ExtraHeadersAreMimeKits(string name, string value) =>
        AssertSameHeaders(Message(headers: [new(name, value), new("X-After", "after")]));

    [Fact]
    public void ArbitraryHeadersAreMimeKits()
    {
        var ascii = Gen.Frequency(
                (10, Gen.Elements("a", "Word", "PR", "#42", "[PROJ/repo]", "(x)", "-", ".", ",", ":", ";", "\"", "<", ">", "@", "=", "?", "=?", "_", "'")),
                (5, Gen.Constant(" ")),
                (1, Gen.Constant("  ")),
                (1, Gen.Choose(20, 90).Select(n => new string('x', n))),
                (1, Gen.Choose(0x20, 0x7e).Select(c => ((char)c).ToString())))
            .ListOf().Select(parts => string.Concat(parts));
        var text = Gen.OneOf(ascii, ascii, UnicodeGenerators.HeaderText);
        var name = Gen.OneOf(
            Gen.Constant<string?>(null),
            Gen.Elements<string?>("Jane", "Jane Doe", "Code Review", "A B C D E F G H I J K L M N O P Q R S T U V W X Y Z", "O'Brien"),
            UnicodeGenerators.DisplayName.Select(n => (string?)n));
        var local = Gen.Elements("jane", "j.doe", "a+b", "x_y", "O'Brien", "first.last.with.many.parts.to.make.it.long");
        var domain = Gen.Elements("example.com", "mail.example.co.uk", "EXAMPLE.COM", "very-long-subdomain-name.of.an.example.org");
        var mailbox = from n in name
                      from l in local
                      from d in domain
                      select new Mailbox(l + "@" + d, n);
        var cases = from subject in text
                    from sender in mailbox
                    from to in mailbox.ListOf().Select(l => l.ToList())
                    from reason in text
                    from references in Gen.Elements("<a@b.c>", "<a@b.c> <d@e.f>", string.Join(" ", Enumerable.Range(0, 5).Select(i => $"<id{i}.{new string('q', 25)}@example.com>")))
                    select Message(subject: subject, sender: sender, to: to, headers: [new("References", references), new("X-Notifier-Reason", reason)]);
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(400), Prop.ForAll(cases.ToArbitrary(), AssertSameHeaders));
    }

    public static TheoryData<DateTimeOffset> Dates => new()
    {
        When,
        new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero),
        new DateTimeOffset(2026, 12, 31, 23, 59, 59, TimeSpan.FromHours(14)),
        new DateTimeOffset(2024, 2, 29, 12, 5, 9, TimeSpan.FromHours(-8)),
        new DateTimeOffset(2026, 7, 4, 9, 30, 0, new TimeSpan(5, 45, 0)),
        new DateTimeOffset(999, 3, 8, 1, 2, 3, TimeSpan.FromHours(-12)),
        new DateTimeOffset(9999, 12, 31, 23, 59, 59, TimeSpan.Zero),
    };

    [Theory]
    [MemberData(nameof(Dates))]
    public void DatesAreMimeKits(DateTimeOffset date) => AssertSameHeaders(Message(date: date));

    [Fact]
    public void EveryDayOfTwoYearsIsMimeKits()
    {
        for (var day = new DateTimeOffset(2025, 1, 1, 7, 8, 9, TimeSpan.FromHours(2)); day.Year < 2027; day = day.AddDays(1).AddSeconds(1))
        {
            Assert.Equal(" " + MimeKit.Utils.DateUtils.FormatDate(day), RawHeaders.Date(day).TrimEnd('\r', '\n'));
        }
    }

    [Fact]
    public void NegativeOffsetWithMinutesIsWrittenAsRfc5322Says()
    {
        // MimeKit writes "-03-30" (hours and minutes each with their own sign); RFC 5322 wants "-0330".
        var newfoundland = new DateTimeOffset(2026, 11, 30, 3, 10, 22, new TimeSpan(-3, -30, 0));

        Assert.Equal(" Mon, 30 Nov 2026 03:10:22 -0330", RawHeaders.Date(newfoundland).TrimEnd('\r', '\n'));
    }

    [Fact]
    public void PlainHeadersAreNotReformattedByMimeKit()
    {
        // The point of formatting them ourselves: MimeKit's RFC 2047 encoder and folder never run for them.
        using var mime = MimeMessageBuilder.Build(Message(headers: [new("X-Notifier-Event", "pullrequest.opened")]));

        Assert.All(
            mime.Headers.Where(h => h.Id is HeaderId.From or HeaderId.Date or HeaderId.Subject or HeaderId.MessageId or HeaderId.To || h.Field == "X-Notifier-Event"),
            h => Assert.NotEqual(typeof(Header), h.GetType()));
    }

    private static EmailMessage Message(
        string subject = "Hello",
        Mailbox? sender = null,
        IReadOnlyList<Mailbox>? to = null,
        IReadOnlyList<KeyValuePair<string, string>>? headers = null,
        string messageId = "fixed.1@notifier.example.com",
        DateTimeOffset? date = null) =>
        new()
        {
            From = sender ?? TestMessages.Sender,
            To = to ?? [new Mailbox("jane@example.com", "Jane Doe")],
            Subject = subject,
            TextBody = "Body\n",
            Headers = headers ?? [],
            MessageId = messageId,
            Date = date ?? When,
        };

    private static void AssertSameHeaders(EmailMessage message)
    {
        string expected;
        try
        {
            expected = HeaderBlock(MimeKitHeaders.Build(message));
        }
        catch (ArgumentException refused)
        {
            // What MimeKit refuses, the builder refuses too.
            Assert.Equal(refused.Message, Assert.ThrowsAny<ArgumentException>(() => MimeMessageBuilder.Build(message)).Message);
            return;
        }

        Assert.Equal(expected, HeaderBlock(MimeMessageBuilder.Build(message)));
    }

    private static string HeaderBlock(MimeMessage mime)
    {
        using (mime)
        {
            mime.Prepare(EncodingConstraint.EightBit, 998);
            var format = FormatOptions.Default.Clone();
            format.NewLineFormat = NewLineFormat.Dos;
            using var output = new MemoryStream();
            mime.WriteTo(format, output, headersOnly: true);
            return Encoding.UTF8.GetString(output.ToArray());
        }
    }
}
