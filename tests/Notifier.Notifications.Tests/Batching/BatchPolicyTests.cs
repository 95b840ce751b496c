using Notifier.Notifications.Batching;
using Notifier.Notifications.Events;
using Notifier.Notifications.Recipients;
using Notifier.Notifications.Tests.Rendering;

namespace Notifier.Notifications.Tests.Batching;

/// <summary>Which emails wait for a digest: Bitbucket's rules, the producer's per-recipient flag and the mode.</summary>
public sealed class BatchPolicyTests
{
    private static readonly Recipient TomasAsReviewer = TestEvents.To(TestEvents.Tomas, RecipientReason.Reviewer);

    private static string? Thread(NotificationEvent e, Recipient recipient, BatchingOptions? options = null) =>
        new BatchPolicy(options ?? new BatchingOptions()).ThreadOf(e, recipient);

    [Theory]
    [InlineData(EventTypes.PullRequestApproved)]
    [InlineData(EventTypes.PullRequestUnapproved)]
    [InlineData(EventTypes.PullRequestCommentAdded)]
    [InlineData(EventTypes.PullRequestCommentEdited)]
    [InlineData(EventTypes.PullRequestMerged)]
    [InlineData(EventTypes.PullRequestUpdated)]
    [InlineData(EventTypes.PullRequestCommentReplied)]
    [InlineData(EventTypes.PullRequestAutoMergeRequested)]
    [InlineData(EventTypes.PullRequestAutoMergeCancelled)]
    public void PullRequestActivityWaitsPerRecipientAndPullRequest(string type) =>
        Assert.Equal("pr:PAY/ledger-service/482", Thread(TestEvents.All[type], TomasAsReviewer));

    [Fact]
    public void ADraftAgainIsActivityThatWaits() =>
        Assert.Equal("pr:PAY/ledger-service/487", Thread(TestEvents.All[EventTypes.PullRequestConvertedToDraft], TomasAsReviewer));

    [Theory]
    [InlineData(EventTypes.PullRequestOpened)]
    [InlineData(EventTypes.PullRequestDraftOpened)]
    [InlineData(EventTypes.PullRequestReadyForReview)]
    [InlineData(EventTypes.PullRequestDeleted)]
    [InlineData(EventTypes.AccountCreated)]
    [InlineData(EventTypes.AccountPasswordReset)]
    [InlineData(EventTypes.RepositoryPushed)]
    [InlineData(EventTypes.CommitCommentAdded)]
    public void SomeEventsAlwaysGoOutAtOnce(string type) =>
        Assert.Null(Thread(TestEvents.All[type], TomasAsReviewer));

    [Fact]
    public void RepositoryAndCommitEventsWaitPerRepositoryWhenAskedTo()
    {
        var options = new BatchingOptions { Repositories = true };

        Assert.Equal("repo:PAY/ledger-service", Thread(TestEvents.All[EventTypes.RepositoryPushed], TomasAsReviewer, options));
        Assert.Equal("repo:PAY/ledger-service", Thread(TestEvents.All[EventTypes.CommitCommentEdited], TomasAsReviewer, options));
        Assert.Null(Thread(TestEvents.All[EventTypes.AccountCreated], TomasAsReviewer, options));
    }

    [Fact]
    public void AReviewerJustAddedHearsAtOnceAndTheOthersWait()
    {
        var e = TestEvents.All[EventTypes.PullRequestReviewersUpdated];
        var added = Assert.Single(e.Changes!.AddedReviewers);
        var addedRecipient = TestEvents.To(added, RecipientReason.Reviewer);
        var author = TestEvents.To(TestEvents.Priya, RecipientReason.Author);

        Assert.Null(Thread(e, addedRecipient));
        Assert.NotNull(Thread(e, author));
    }

    [Fact]
    public void ARecipientMarkedImmediateByTheProducerIsNeverBatched()
    {
        var e = TestEvents.All[EventTypes.PullRequestApproved] with { ImmediateRecipients = ["tomas"] };

        Assert.Null(Thread(e, TomasAsReviewer));
        Assert.NotNull(Thread(e, TestEvents.To(TestEvents.Priya, RecipientReason.Author)));
    }

    [Fact]
    public void ImmediateModeBatchesNothing() =>
        Assert.Null(Thread(TestEvents.All[EventTypes.PullRequestApproved], TomasAsReviewer, new BatchingOptions { Mode = BatchingMode.Immediate }));

    [Fact]
    public void TheDigestKeyDependsOnTheAddressCaseInsensitivelyAndOnTheThread()
    {
        Assert.Equal(BatchKeys.For("Tomas.Alvarez@example.com", "pr:PAY/x/1"), BatchKeys.For("tomas.alvarez@example.com", "pr:PAY/x/1"));
        Assert.NotEqual(BatchKeys.For("tomas.alvarez@example.com", "pr:PAY/x/1"), BatchKeys.For("tomas.alvarez@example.com", "pr:PAY/x/2"));
        Assert.Matches("^[0-9a-f]{32}$", BatchKeys.For("a@b.c", "pr:P/r/1"));
    }
}
