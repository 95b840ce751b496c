using Notifier.Smtp.Messages;

namespace Notifier.Smtp.Tests.Messages;

public sealed class MailboxTests
{
    [Theory]
    [InlineData("jane@example.com", null, "jane@example.com")]
    [InlineData("Jane Doe <jane@example.com>", "Jane Doe", "jane@example.com")]
    [InlineData("\"Doe, Jane\" <jane@example.com>", "Doe, Jane", "jane@example.com")]
    public void ParseReadsAddressAndDisplayName(string text, string? displayName, string address)
    {
        var mailbox = Mailbox.Parse(text);

        Assert.Equal(address, mailbox.Address);
        Assert.Equal(displayName, mailbox.DisplayName);
    }

    [Theory]
    [InlineData("jane@example.com\r\nBcc: all@example.com")]
    [InlineData("jane@exa mple.com")]
    [InlineData("jane")]
    [InlineData("@example.com")]
    [InlineData("jane@")]
    [InlineData("jane@example..com")]
    public void ParseRefusesWhatIsNotAnAddress(string text)
    {
        Assert.Throws<FormatException>(() => Mailbox.Parse(text));
        Assert.False(Mailbox.TryParse(text, out _));
    }

    [Fact]
    public void DisplayNameWithLineBreakCannotCreateAHeader()
    {
        var error = Assert.Throws<FormatException>(() => new Mailbox("jane@example.com", "Jane\r\nBcc: all@example.com"));

        Assert.Contains("control characters", error.Message, StringComparison.Ordinal);
    }
}
