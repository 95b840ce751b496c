using System.Text;
using System.Text.RegularExpressions;
using Notifier.Notifications.Events;
using Notifier.Smtp.Messages;

namespace Notifier.Notifications.Tests.Rendering;

/// <summary>
/// One golden file per event type: subject, recipients, the stable headers and the text part
/// (<c>Golden/{type}.txt</c>), and the HTML part (<c>Golden/{type}.html</c>). Reviewed by eye once; a change
/// to the wording or layout shows up as a diff.
/// </summary>
public sealed partial class EmailRendererGoldenTests
{
    public static TheoryData<string> Types => [.. EventTypes.All];

    [Theory]
    [MemberData(nameof(Types))]
    public void EmailMatchesGoldenFile(string type)
    {
        var e = TestEvents.All[type];
        var recipients = TestEvents.RecipientsFor(e);

        var messages = TestEvents.Renderer().Render(e, recipients);

        Assert.Equal(recipients.Recipients.Count, messages.Count);
        var first = messages[0];
        GoldenFile.AssertMatches($"{type}.txt", Describe(messages));
        GoldenFile.AssertMatches($"{type}.html", first.HtmlBody!);
    }

    [Fact]
    public void EveryTypeHasAnEvent() => Assert.Equal(EventTypes.All.Order(), TestEvents.All.Keys.Order());

    private static string Describe(IReadOnlyList<EmailMessage> messages)
    {
        var first = messages[0];
        var text = new StringBuilder();
        text.Append("Subject: ").Append(first.Subject).Append('\n');
        text.Append("From: ").Append(first.From).Append('\n');
        foreach (var message in messages)
        {
            var reason = message.Headers.Single(h => h.Key == "X-Notifier-Reason").Value;
            text.Append("To: ").Append(string.Join(", ", message.To)).Append(" (").Append(reason).Append(")\n");
        }

        text.Append("Message-ID: <").Append(RandomPart().Replace(first.MessageId!, ".RANDOM@")).Append(">\n");
        foreach (var header in first.Headers)
        {
            text.Append(header.Key).Append(": ").Append(header.Value).Append('\n');
        }

        text.Append("\n----- text/plain (first recipient) -----\n").Append(first.TextBody);
        return text.ToString();
    }

    [GeneratedRegex(@"\.[0-9a-f]{16}@")]
    private static partial Regex RandomPart();
}
