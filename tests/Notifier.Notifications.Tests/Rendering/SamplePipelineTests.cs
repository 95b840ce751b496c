using Notifier.Notifications.Events;
using Notifier.Notifications.Recipients;
using MimeKit;
using Notifier.Smtp.Messages;

namespace Notifier.Notifications.Tests.Rendering;

/// <summary>The checked-in samples and Bitbucket captures go through parse, recipients, render and MIME.</summary>
public sealed class SamplePipelineTests
{
    public static TheoryData<string> Types => [.. EventTypes.All];

    public static TheoryData<string> Captures =>
        [.. Directory.EnumerateFiles(RepositoryFiles.BitbucketDirectory, "*.json", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(RepositoryFiles.BitbucketDirectory, path)).Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(Types))]
    public void EverySampleRendersOneMimeMessagePerRecipient(string type)
    {
        var parsed = new EventParser().Parse(RepositoryFiles.SampleBytes(type));
        Assert.True(parsed.IsSuccess, parsed.Error);
        var recipients = new RecipientResolver().Resolve(parsed.Event!);
        Assert.NotEmpty(recipients.Recipients);

        var messages = TestEvents.Renderer().Render(parsed.Event!, recipients);

        Assert.Equal(recipients.Recipients.Count, messages.Count);
        foreach (var message in messages)
        {
            EscapingPropertyTests.AssertSafe(message);
            Assert.Equal(type, message.Headers.Single(h => h.Key == "X-Notifier-Event").Value);
            Assert.NotEmpty(MimeMessageBuilder.ToArray(message));
        }
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void EverySampleGoesOutUnencodedToAServerThatOffers8BitMime(string type)
    {
        // Quoted-printable is forced by any line over 998 octets: it costs CPU on every send and makes the
        // message source unreadable, so the HTML writer keeps its own lines short.
        var parsed = new EventParser().Parse(RepositoryFiles.SampleBytes(type));
        Assert.True(parsed.IsSuccess, parsed.Error);
        var message = TestEvents.Renderer().Render(parsed.Event!, new RecipientResolver().Resolve(parsed.Event!))[0];
        using var mime = MimeMessageBuilder.Build(message);

        mime.Prepare(EncodingConstraint.EightBit, 998);

        Assert.All(mime.BodyParts.OfType<TextPart>(), part =>
            Assert.True(part.ContentTransferEncoding is ContentEncoding.Default or ContentEncoding.SevenBit or ContentEncoding.EightBit,
                $"{part.ContentType.MimeType} of {type} is sent as {part.ContentTransferEncoding}"));
    }

    [Theory]
    [MemberData(nameof(Captures))]
    public void EveryBitbucketCaptureThatMapsAlsoRenders(string capture)
    {
        var parsed = new EventParser().Parse(File.ReadAllBytes(Path.Combine(RepositoryFiles.BitbucketDirectory, capture)));
        if (!parsed.IsSuccess)
        {
            // Deleted comments are valid but mail nobody, as in Bitbucket; the parser's tests cover them.
            Assert.True(parsed.IsWithoutEmail, parsed.Error);
            return;
        }

        var recipients = new RecipientSet([TestEvents.To(TestEvents.Tomas, RecipientReason.Watcher)], 0, []);
        var message = Assert.Single(TestEvents.Renderer().Render(parsed.Event!, recipients));

        EscapingPropertyTests.AssertSafe(message);
        Assert.NotEmpty(MimeMessageBuilder.ToArray(message));
    }
}
