using Notifier.Smtp.Messages;

namespace Notifier.Smtp.Tests.Mime;

/// <summary>
/// Text from events ends up in headers. None of it may ever start a header line of its own: the builder
/// refuses the message (before MimeKit encodes anything) instead.
/// </summary>
public sealed class HeaderInjectionTests
{
    public static TheoryData<string> Injections =>
    [
        "Hello\r\nBcc: victim@example.com",
        "Hello\nBcc: victim@example.com",
        "Hello\rBcc: victim@example.com",
        "Hello\r\n\r\n<html>body</html>",
        "Hello\0null",
        "Hello\u0085next line",
        "Hello\u2028line separator",
        "Hello\u007fdelete",
        "Tab\there",
    ];

    [Fact]
    public void RefusesUnpairedSurrogatesInHeaderText()
    {
        // Built here rather than passed as theory data: xunit would replace the lone surrogate while serialising.
        var broken = "Lone " + '\ud800' + " surrogate";

        AssertRefusedWithoutOutput(TestMessages.Create(subject: broken), "surrogate");
        AssertRefusedWithoutOutput(TestMessages.Create(headers: [new("X-Notifier-Reason", broken)]), "surrogate");
        AssertRefusedWithoutOutput(TestMessages.Create(subject: "end " + '\udc00'), "surrogate");
    }

    [Theory]
    [MemberData(nameof(Injections))]
    public void RefusesControlCharactersInTheSubject(string subject)
    {
        AssertRefusedWithoutOutput(TestMessages.Create(subject: subject), "subject");
    }

    [Theory]
    [MemberData(nameof(Injections))]
    public void RefusesControlCharactersInAnExtraHeaderValue(string value)
    {
        AssertRefusedWithoutOutput(TestMessages.Create(headers: [new("X-Notifier-Reason", value)]), "X-Notifier-Reason");
    }

    [Theory]
    [InlineData("X-Evil\r\nBcc")]
    [InlineData("X Space")]
    [InlineData("X-Colon:")]
    [InlineData("X-Ünicode")]
    [InlineData("")]
    [InlineData("X-Notifier-A-Rather-Long-Header-Name-Of-51-Chars-XY")]
    public void RefusesHeaderNamesThatAreNotFieldNames(string name)
    {
        AssertRefusedWithoutOutput(TestMessages.Create(headers: [new(name, "value")]), "header");
    }

    [Theory]
    [InlineData("From")]
    [InlineData("to")]
    [InlineData("SUBJECT")]
    [InlineData("Date")]
    [InlineData("Message-Id")]
    [InlineData("MIME-Version")]
    [InlineData("Content-Type")]
    [InlineData("content-transfer-encoding")]
    public void RefusesExtraHeadersThatOverrideTheWritersOwn(string name)
    {
        AssertRefusedWithoutOutput(TestMessages.Create(headers: [new(name, "x")]), name);
    }

    [Theory]
    [InlineData("id@host>\r\nBcc: victim@example.com")]
    [InlineData("<already@bracketed>")]
    [InlineData("no-at-sign")]
    [InlineData("two@at@signs")]
    [InlineData("space in@id")]
    public void RefusesMessageIdsThatAreNotIdentifiers(string id)
    {
        AssertRefusedWithoutOutput(TestMessages.Create(messageId: id), "Message-ID");
    }

    [Theory]
    [MemberData(nameof(Injections))]
    public void RefusesControlCharactersInDisplayNamesEvenWhenTheMailboxCheckIsBypassed(string name)
    {
        // Mailbox's constructor already refuses these; the writer is the last gate and checks again, so a
        // Mailbox built another way (deserialisation, reflection, a future constructor) cannot slip through.
        var mailbox = new Mailbox("jane@example.com", "placeholder");
        typeof(Mailbox).GetField("<DisplayName>k__BackingField", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)!
            .SetValue(mailbox, name);

        AssertRefusedWithoutOutput(TestMessages.Create(to: [mailbox]), "display name");
    }

    [Theory]
    [InlineData("jane@example.com\r\nBcc: victim@example.com")]
    [InlineData("jane@example.com>, victim@example.com")]
    [InlineData("jane doe@example.com")]
    public void RefusesAddressesThatCarryAnotherHeaderOrMailbox(string address)
    {
        var mailbox = new Mailbox("jane@example.com");
        typeof(Mailbox).GetField("<Address>k__BackingField", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)!
            .SetValue(mailbox, address);

        AssertRefusedWithoutOutput(TestMessages.Create(to: [mailbox]), "To address");
    }

    [Fact]
    public void RefusesAMailboxWithControlCharactersAtConstruction()
    {
        Assert.Throws<FormatException>(() => new Mailbox("jane@example.com", "Jane\r\nBcc: victim@example.com"));
    }

    [Fact]
    public void AllowsBodiesToContainAnythingBecauseTheyAreEncoded()
    {
        var raw = TestMessages.Raw(TestMessages.Create(text: "Line\r\nBcc: victim@example.com\r\n\r\n\0\u0001 end"));

        Assert.DoesNotContain("\r\nBcc:", TestMessages.HeaderBlock(raw), StringComparison.Ordinal);
        Assert.DoesNotContain("Bcc", TestMessages.HeaderNames(raw));
    }

    private static void AssertRefusedWithoutOutput(EmailMessage message, string mentioned)
    {
        // Refused by the builder itself: MimeKit never sees (or encodes) the text, so nothing can be sent.
        var error = Assert.ThrowsAny<ArgumentException>(() => MimeMessageBuilder.Build(message));

        Assert.Contains(mentioned, error.Message, StringComparison.OrdinalIgnoreCase);
    }
}
