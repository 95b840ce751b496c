using Notifier.Notifications.Events;
using Notifier.Notifications.Recipients;

namespace Notifier.Notifications.Tests.Recipients;

public sealed class RecipientResolverTests
{
    private static readonly User Priya = new("priya.raman", "Priya Raman", "priya.raman@example.com");
    private static readonly User Tomas = new("tomas", "Tomás Álvarez", "tomas.alvarez@example.com");
    private static readonly User Mei = new("mei.lin", "Mei Lin", "mei.lin@example.com");
    private static readonly User Jonas = new("jbecker", "Jonas Becker", "jonas.becker@example.com");
    private static readonly User Amara = new("amara", "Amara Okafor", "amara.okafor@example.com");

    private readonly RecipientResolver _resolver = new();

    private static NotificationEvent PullRequestEvent(string type, User actor, IReadOnlyList<Participant>? reviewers = null, IReadOnlyList<Participant>? participants = null, User? author = null) => new()
    {
        Type = type,
        Id = "evt-1",
        Time = DateTimeOffset.UnixEpoch,
        Actor = actor,
        Repository = new Repository { ProjectKey = "PAY", Slug = "ledger-service" },
        PullRequest = new PullRequest
        {
            Id = 482,
            Title = "Add retry budget",
            Author = author ?? Priya,
            Source = new BranchRef("feature/retry-budget"),
            Target = new BranchRef("main"),
            Reviewers = reviewers ?? [new Participant(Tomas), new Participant(Mei)],
            Participants = participants ?? [new Participant(Jonas)],
        },
    };

    private static IEnumerable<(string Address, RecipientReason Reason)> Summary(RecipientSet set) =>
        set.Recipients.Select(r => (r.Mailbox.Address, r.Reason));

    [Fact]
    public void OpenedGoesToReviewersOnly()
    {
        var set = _resolver.Resolve(PullRequestEvent(EventTypes.PullRequestOpened, actor: Amara));

        Assert.Equal([("tomas.alvarez@example.com", RecipientReason.Reviewer), ("mei.lin@example.com", RecipientReason.Reviewer)], Summary(set));
    }

    [Fact]
    public void ReadyForReviewGoesToReviewersOnlyAsOpenedDoes()
    {
        var set = _resolver.Resolve(PullRequestEvent(EventTypes.PullRequestReadyForReview, actor: Amara));

        Assert.Equal([("tomas.alvarez@example.com", RecipientReason.Reviewer), ("mei.lin@example.com", RecipientReason.Reviewer)], Summary(set));
    }

    [Fact]
    public void DraftOpenedTellsNoReviewerAndSaysWhy()
    {
        var set = _resolver.Resolve(PullRequestEvent(EventTypes.PullRequestDraftOpened, actor: Priya));

        Assert.Empty(set.Recipients);
        Assert.Equal(RecipientResolver.DraftsNotifyNobody, set.Note);
    }

    [Fact]
    public void DraftOpenedGoesToTheRecipientsTheProducerNames()
    {
        var e = PullRequestEvent(EventTypes.PullRequestDraftOpened, actor: Priya) with { Recipients = [Jonas, Tomas] };

        var set = _resolver.Resolve(e);

        Assert.Equal([("jonas.becker@example.com", RecipientReason.Participant), ("tomas.alvarez@example.com", RecipientReason.Reviewer)], Summary(set));
        Assert.Null(set.Note);
    }

    [Theory]
    [InlineData(EventTypes.PullRequestMerged)]
    [InlineData(EventTypes.PullRequestDeclined)]
    [InlineData(EventTypes.PullRequestUpdated)]
    [InlineData(EventTypes.PullRequestApproved)]
    [InlineData(EventTypes.PullRequestConvertedToDraft)]
    [InlineData(EventTypes.PullRequestAutoMergeRequested)]
    [InlineData(EventTypes.PullRequestAutoMergeCancelled)]
    public void OtherPullRequestEventsGoToAuthorReviewersAndParticipants(string type)
    {
        var set = _resolver.Resolve(PullRequestEvent(type, actor: Amara));

        Assert.Equal(
            [
                ("tomas.alvarez@example.com", RecipientReason.Reviewer), ("mei.lin@example.com", RecipientReason.Reviewer),
                ("priya.raman@example.com", RecipientReason.Author), ("jonas.becker@example.com", RecipientReason.Participant),
            ],
            Summary(set));
    }

    [Fact]
    public void ActorGetsNoMailAboutTheirOwnAction()
    {
        var set = _resolver.Resolve(PullRequestEvent(EventTypes.PullRequestApproved, actor: Mei));

        Assert.DoesNotContain(set.Recipients, r => r.User.Name == "mei.lin");
        Assert.Equal(3, set.Recipients.Count);
    }

    [Fact]
    public void ActorIsRecognisedByAddressWhateverItsCase()
    {
        var actorUnderAnotherName = new User("MEI", "Mei", "Mei.Lin@EXAMPLE.com");

        var set = _resolver.Resolve(PullRequestEvent(EventTypes.PullRequestApproved, actor: actorUnderAnotherName));

        Assert.DoesNotContain(set.Recipients, r => r.Mailbox.Address == "mei.lin@example.com");
    }

    [Fact]
    public void DuplicatesCollapseCaseInsensitivelyKeepingTheStrongestReason()
    {
        var tomasShouting = new User("TOMAS", "Tomás", "Tomas.Alvarez@Example.COM");
        var priyaAsReviewerToo = new Participant(new User("p.raman", "Priya", "PRIYA.RAMAN@example.com"));
        var e = PullRequestEvent(
            EventTypes.PullRequestMerged,
            actor: Amara,
            reviewers: [new Participant(Tomas), priyaAsReviewerToo],
            participants: [new Participant(tomasShouting), new Participant(Jonas), new Participant(Jonas)]);

        var set = _resolver.Resolve(e);

        Assert.Equal(
            [
                ("tomas.alvarez@example.com", RecipientReason.Reviewer), ("PRIYA.RAMAN@example.com", RecipientReason.Author),
                ("jonas.becker@example.com", RecipientReason.Participant),
            ],
            Summary(set));
    }

    [Fact]
    public void UsersWithoutAnAddressAreSkippedAndCountedOnce()
    {
        var sven = new User("sven", "Sven Olsen", null);
        var blank = new User("blank", null, "   ");
        var e = PullRequestEvent(EventTypes.PullRequestMerged, actor: Amara, reviewers: [new Participant(sven), new Participant(Mei)], participants: [new Participant(sven), new Participant(blank)]);

        var set = _resolver.Resolve(e);

        Assert.Equal(2, set.SkippedWithoutAddress);
        Assert.DoesNotContain(set.Recipients, r => r.User.Name is "sven" or "blank");
    }

    [Fact]
    public void InvalidAddressesAreReportedNotSent()
    {
        var broken = new User("broken", "Broken", "not-an-address");
        var injected = new User("inject", "Inject", "x@example.com\r\nBcc: all@example.com");
        var e = PullRequestEvent(EventTypes.PullRequestMerged, actor: Amara, participants: [new Participant(broken), new Participant(injected), new Participant(broken)]);

        var set = _resolver.Resolve(e);

        Assert.Equal(["not-an-address", "x@example.com\\u000d\\u000aBcc: all@example.com"], set.InvalidAddresses);
        Assert.DoesNotContain(set.Recipients, r => r.User.Name is "broken" or "inject");
    }

    [Fact]
    public void DisplayNameWithCrLfCannotCreateAHeader()
    {
        var hostile = new User("eve", "Eve\r\nBcc: everyone@example.com", "eve@example.com");
        var e = PullRequestEvent(EventTypes.PullRequestMerged, actor: Amara, participants: [new Participant(hostile)]);

        var eve = Assert.Single(_resolver.Resolve(e).Recipients, r => r.User.Name == "eve");

        Assert.Equal("Eve  Bcc: everyone@example.com", eve.Mailbox.DisplayName);
        Assert.Equal("eve@example.com", eve.Mailbox.Address);
    }

    [Fact]
    public void ExplicitRecipientsReplaceRolesAndKeepTheirRoleOrWatcher()
    {
        var e = PullRequestEvent(EventTypes.PullRequestMerged, actor: Amara) with { Recipients = [Priya, Mei, new User("ops", "Ops", "ops@example.com")] };

        var set = _resolver.Resolve(e);

        Assert.Equal(
            [
                ("priya.raman@example.com", RecipientReason.Author), ("mei.lin@example.com", RecipientReason.Reviewer),
                ("ops@example.com", RecipientReason.Watcher),
            ],
            Summary(set));
    }

    [Fact]
    public void ExplicitRecipientsStillLeaveOutTheActor()
    {
        var e = PullRequestEvent(EventTypes.PullRequestMerged, actor: Amara) with { Recipients = [Amara, Mei] };

        Assert.Equal([("mei.lin@example.com", RecipientReason.Reviewer)], Summary(_resolver.Resolve(e)));
    }

    [Fact]
    public void ReplyNotifiesTheAuthorOfTheCommentRepliedTo()
    {
        var parent = new Comment { Id = 1, Text = "per partner?", Author = Amara };
        var e = PullRequestEvent(EventTypes.PullRequestCommentAdded, actor: Priya) with
        {
            Comment = new Comment { Id = 2, Text = "kept global", Author = Priya, Parent = parent },
        };

        var set = _resolver.Resolve(e);

        Assert.Contains(("amara.okafor@example.com", RecipientReason.Participant), Summary(set));
    }

    [Fact]
    public void CommentRepliedNotifiesTheParentsAuthorBesideTheRoles()
    {
        var parent = new Comment { Id = 1, Text = "per partner?", Author = Amara };
        var e = PullRequestEvent(EventTypes.PullRequestCommentReplied, actor: Tomas) with
        {
            Comment = new Comment { Id = 2, Text = "kept global", Author = Tomas, Parent = parent, ParentId = 1 },
        };

        var set = _resolver.Resolve(e);

        Assert.Equal(
            [
                ("mei.lin@example.com", RecipientReason.Reviewer), ("priya.raman@example.com", RecipientReason.Author),
                ("jonas.becker@example.com", RecipientReason.Participant), ("amara.okafor@example.com", RecipientReason.Participant),
            ],
            Summary(set));
    }

    [Fact]
    public void BitbucketReplyReachesTheParticipantsWhoseCommentsItMayAnswer()
    {
        // Bitbucket names only the parent's id; whoever wrote it commented, so Bitbucket lists them as a participant.
        var parsed = new EventParser().Parse(RepositoryFiles.Bitbucket("pr_comment_added.json")).Event!;
        var e = parsed with { PullRequest = parsed.PullRequest! with { Participants = [new Participant(Amara)] } };

        var set = _resolver.Resolve(e);

        Assert.Equal(EventTypes.PullRequestCommentReplied, e.Type);
        Assert.Contains(("amara.okafor@example.com", RecipientReason.Participant), Summary(set));
    }

    [Fact]
    public void ReviewersAddedOrRemovedAreTold()
    {
        var e = PullRequestEvent(EventTypes.PullRequestReviewersUpdated, actor: Priya, reviewers: [new Participant(Mei)], participants: []) with
        {
            Changes = new EventChanges { AddedReviewers = [Amara], RemovedReviewers = [Tomas] },
        };

        var set = _resolver.Resolve(e);

        Assert.Equal(
            [
                ("mei.lin@example.com", RecipientReason.Reviewer), ("amara.okafor@example.com", RecipientReason.Reviewer),
                ("tomas.alvarez@example.com", RecipientReason.Participant),
            ],
            Summary(set));
    }

    [Fact]
    public void CommitCommentGoesToTheCommitAuthorAndTheThread()
    {
        var e = new EventParser().Parse(RepositoryFiles.SampleBytes(EventTypes.CommitCommentAdded)).Event!;

        var set = _resolver.Resolve(e);

        // Actor mei.lin wrote the reply; jbecker wrote the commit; amara wrote the comment replied to.
        Assert.Equal([("jonas.becker@example.com", RecipientReason.Author), ("amara.okafor@example.com", RecipientReason.Participant)], Summary(set));
    }

    [Fact]
    public void RepositoryEventWithoutRecipientsGoesToNobodyAndSaysWhy()
    {
        var e = new EventParser().Parse(RepositoryFiles.SampleBytes(EventTypes.RepositoryPushed)).Event! with { Recipients = null };

        var set = _resolver.Resolve(e);

        Assert.Empty(set.Recipients);
        Assert.Equal(RecipientResolver.RepositoryEventsNeedRecipients, set.Note);
    }

    [Fact]
    public void RepositoryEventGoesToItsExplicitRecipientsAsWatchers()
    {
        var e = new EventParser().Parse(RepositoryFiles.SampleBytes(EventTypes.RepositoryPushed)).Event!;

        var set = _resolver.Resolve(e);

        Assert.Equal(["priya.raman@example.com", "tomas.alvarez@example.com", "mei.lin@example.com"], set.Recipients.Select(r => r.Mailbox.Address));
        Assert.All(set.Recipients, r => Assert.Equal(RecipientReason.Watcher, r.Reason));
        Assert.Null(set.Note);
    }

    [Fact]
    public void PasswordResetGoesToTheUserEvenWhenTheyAskedForIt()
    {
        // Tomás requested his own reset: the actor rule must not swallow the link he is waiting for.
        var e = new EventParser().Parse(RepositoryFiles.SampleBytes(EventTypes.AccountPasswordReset)).Event!;
        Assert.Equal(e.Actor, e.Account!.User);

        var set = _resolver.Resolve(e);

        Assert.Equal([("tomas.alvarez@example.com", RecipientReason.Account)], Summary(set));
    }

    [Fact]
    public void AccountEmailIgnoresOtherRecipients()
    {
        var e = new EventParser().Parse(RepositoryFiles.SampleBytes(EventTypes.AccountCreated)).Event! with { Recipients = [Mei, Jonas] };

        var set = _resolver.Resolve(e);

        Assert.Equal([("leila.nakamura@example.com", RecipientReason.Account)], Summary(set));
    }

    [Fact]
    public void BitbucketOpenedGoesToTheReviewer()
    {
        var e = new EventParser().Parse(RepositoryFiles.Bitbucket("pr_opened.json")).Event!;

        var recipient = Assert.Single(_resolver.Resolve(e).Recipients);

        Assert.Equal("Cain Piper <cain.piper@foo.bar>", recipient.Mailbox.ToString());
        Assert.Equal(RecipientReason.Reviewer, recipient.Reason);
    }

    [Fact]
    public void BitbucketApprovalGoesToTheAuthorNotTheApprover()
    {
        var e = new EventParser().Parse(RepositoryFiles.Bitbucket("pr_reviewer_approved.json")).Event!;

        Assert.Equal([("gopher@foo.bar", RecipientReason.Author)], Summary(_resolver.Resolve(e)));
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void NoSampleMailsItsActor(string type)
    {
        var e = new EventParser().Parse(RepositoryFiles.SampleBytes(type)).Event!;

        var set = _resolver.Resolve(e);

        if (e.Category != EventCategory.Account)
        {
            Assert.DoesNotContain(set.Recipients, r => string.Equals(r.Mailbox.Address, e.Actor.Email, StringComparison.OrdinalIgnoreCase));
        }

        Assert.NotEmpty(set.Recipients);
        Assert.Equal(set.Recipients.Count, set.Recipients.Select(r => r.Mailbox.Address.ToUpperInvariant()).Distinct().Count());
    }

    public static TheoryData<string> Types() => new(EventTypes.All);
}
