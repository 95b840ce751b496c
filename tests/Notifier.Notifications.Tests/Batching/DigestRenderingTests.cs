using Notifier.Notifications.Events;
using Notifier.Notifications.Recipients;
using Notifier.Notifications.Tests.Rendering;

namespace Notifier.Notifications.Tests.Batching;

/// <summary>What a digest email says and how it threads.</summary>
public sealed class DigestRenderingTests
{
    private static readonly Recipient Tomas = TestEvents.To(TestEvents.Tomas, RecipientReason.Reviewer);

    private static NotificationEvent At(string type, int minutes) =>
        TestEvents.All[type] with { Id = $"{type}-{minutes}", Time = TestEvents.Time.AddMinutes(minutes) };

    private static string Header(Smtp.Messages.EmailMessage message, string name) =>
        message.Headers.Single(h => h.Key == name).Value;

    [Fact]
    public void ADigestListsEveryItemInOrderIncludingOnesThatUndoEarlierOnes()
    {
        var events = new[] { At(EventTypes.PullRequestCommentAdded, 0), At(EventTypes.PullRequestApproved, 5), At(EventTypes.PullRequestUnapproved, 7) };

        var digest = TestEvents.Renderer().RenderDigest(events, Tomas);

        Assert.Equal("Re: [Bitbucket] [PAY/ledger-service] Add retry budget to the settlement client (PR #482)", digest.Subject);
        Assert.StartsWith("3 updates on pull request #482 in PAY/ledger-service.\n", digest.TextBody, StringComparison.Ordinal);
        Assert.Equal("3", Header(digest, "X-Notifier-Batch-Size"));
        Assert.Equal("digest", Header(digest, "X-Notifier-Event"));
        Assert.Equal("<pr.PAY.ledger-service.482@notifier.example.com>", Header(digest, "In-Reply-To"));
        var approved = digest.TextBody.IndexOf("Mei Lin approved pull request #482.", StringComparison.Ordinal);
        var withdrawn = digest.TextBody.IndexOf("Mei Lin withdrew their approval of pull request #482.", StringComparison.Ordinal);
        var commented = digest.TextBody.IndexOf("replied to", StringComparison.Ordinal);
        Assert.True(commented >= 0 && commented < approved && approved < withdrawn, digest.TextBody);
        Assert.Contains("Sat 21 Nov 2026, 09:09 UTC", digest.TextBody, StringComparison.Ordinal);
        Assert.Contains("3 updates on pull request #482", digest.HtmlBody, StringComparison.Ordinal);
    }

    [Fact]
    public void ACommentInADigestGoesThroughTheSameSafeMarkdown()
    {
        var hostile = At(EventTypes.PullRequestCommentAdded, 0) with
        {
            Comment = TestEvents.All[EventTypes.PullRequestCommentAdded].Comment! with { Text = "**bold** <script>alert(1)</script> [x](javascript:alert(1))" },
        };

        var digest = TestEvents.Renderer().RenderDigest([hostile, At(EventTypes.PullRequestApproved, 3)], Tomas);

        Assert.Contains("<strong", digest.HtmlBody, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", digest.HtmlBody, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("href=\"javascript:", digest.HtmlBody, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void ADigestOfOneIsTheOrdinaryEmailWithTheBatchSizeHeader()
    {
        var single = At(EventTypes.PullRequestApproved, 0);
        var ordinary = TestEvents.Renderer().Render(single, new RecipientSet([Tomas], 0, []))[0];

        var digest = TestEvents.Renderer().RenderDigest([single], Tomas);

        Assert.Equal(ordinary.Subject, digest.Subject);
        Assert.Equal(ordinary.TextBody, digest.TextBody);
        Assert.Equal("1", Header(digest, "X-Notifier-Batch-Size"));
        Assert.Equal(EventTypes.PullRequestApproved, Header(digest, "X-Notifier-Event"));
        Assert.DoesNotContain(ordinary.Headers, h => h.Key == "X-Notifier-Batch-Size");
    }
}
