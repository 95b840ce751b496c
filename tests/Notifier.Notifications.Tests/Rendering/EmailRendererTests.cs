using Notifier.Notifications.Events;
using Notifier.Notifications.Recipients;
using Notifier.Notifications.Rendering;
using Notifier.Smtp.Messages;

namespace Notifier.Notifications.Tests.Rendering;

public sealed class EmailRendererTests
{
    private static string Header(EmailMessage message, string name) => message.Headers.Single(h => h.Key == name).Value;

    private static IReadOnlyList<EmailMessage> Render(string type, RecipientSet? recipients = null)
    {
        var e = TestEvents.All[type];
        return TestEvents.Renderer().Render(e, recipients ?? TestEvents.RecipientsFor(e));
    }

    [Fact]
    public void EachRecipientGetsTheirOwnEmailWithTheirReason()
    {
        var recipients = new RecipientSet(
        [
            TestEvents.To(TestEvents.Tomas, RecipientReason.Reviewer),
            TestEvents.To(TestEvents.Priya, RecipientReason.Author),
            TestEvents.To(TestEvents.Jonas, RecipientReason.Participant),
        ], 0, []);

        var messages = Render(EventTypes.PullRequestApproved, recipients);

        Assert.Equal(3, messages.Count);
        Assert.Equal(["tomas.alvarez@example.com", "priya.raman@example.com", "jonas.becker@example.com"], messages.Select(m => Assert.Single(m.To).Address));
        Assert.Equal(["reviewer", "author", "participant"], messages.Select(m => Header(m, "X-Notifier-Reason")));
        Assert.Contains("because you are a reviewer of this pull request", messages[0].TextBody, StringComparison.Ordinal);
        Assert.Contains("because you are the author of this pull request", messages[1].HtmlBody, StringComparison.Ordinal);
        Assert.Contains("because you take part in the discussion", messages[2].TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain("reviewer", messages[1].TextBody.Split("-- \n")[1], StringComparison.Ordinal);
    }

    [Fact]
    public void EveryEmailHasTextAndHtmlFromTheConfiguredSender()
    {
        foreach (var type in EventTypes.All)
        {
            foreach (var message in Render(type))
            {
                Assert.Same(TestEvents.From, message.From);
                Assert.False(string.IsNullOrWhiteSpace(message.TextBody));
                Assert.StartsWith("<!DOCTYPE html>", message.HtmlBody, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void NoRecipientsMeansNoEmails() =>
        Assert.Empty(TestEvents.Renderer().Render(TestEvents.All[EventTypes.PullRequestOpened], new RecipientSet([], 2, [])));

    [Fact]
    public void SubjectStartsWithTheConfiguredPrefix()
    {
        var withPrefix = Render(EventTypes.PullRequestApproved)[0];
        var without = new EmailRenderer(new NotificationOptions(), TestEvents.From, TestEvents.Clock)
            .Render(TestEvents.All[EventTypes.PullRequestApproved], TestEvents.RecipientsFor(TestEvents.All[EventTypes.PullRequestApproved]))[0];

        Assert.Equal("Re: [Bitbucket] [PAY/ledger-service] Add retry budget to the settlement client (PR #482)", withPrefix.Subject);
        Assert.Equal("Re: [PAY/ledger-service] Add retry budget to the settlement client (PR #482)", without.Subject);
    }

    [Theory]
    [InlineData(EventTypes.PullRequestOpened, "[Bitbucket] [PAY/ledger-service] Add retry budget to the settlement client (PR #482)")]
    [InlineData(EventTypes.PullRequestNeedsWork, "Re: [Bitbucket] [PAY/ledger-service] Add retry budget to the settlement client (PR #482)")]
    [InlineData(EventTypes.PullRequestMerged, "Re: [Bitbucket] [PAY/ledger-service] Add retry budget to the settlement client (PR #482)")]
    [InlineData(EventTypes.PullRequestCommentAdded, "Re: [Bitbucket] [PAY/ledger-service] Add retry budget to the settlement client (PR #482)")]
    [InlineData(EventTypes.PullRequestCommentEdited, "Re: [Bitbucket] [PAY/ledger-service] Add retry budget to the settlement client (PR #482)")]
    [InlineData(EventTypes.PullRequestCommentReplied, "Re: [Bitbucket] [PAY/ledger-service] Add retry budget to the settlement client (PR #482)")]
    [InlineData(EventTypes.PullRequestAutoMergeRequested, "Re: [Bitbucket] [PAY/ledger-service] Add retry budget to the settlement client (PR #482)")]
    [InlineData(EventTypes.PullRequestDraftOpened, "[Bitbucket] [PAY/ledger-service] Split settlement batches by partner (PR #487)")]
    [InlineData(EventTypes.PullRequestReadyForReview, "[Bitbucket] [PAY/ledger-service] Split settlement batches by partner (PR #487)")]
    [InlineData(EventTypes.PullRequestConvertedToDraft, "Re: [Bitbucket] [PAY/ledger-service] Split settlement batches by partner (PR #487)")]
    [InlineData(EventTypes.CommitCommentAdded, "Re: [Bitbucket] [PAY/ledger-service] Settlement: log the partner id on gateway timeouts (commit 5e8b2d4f6a1)")]
    [InlineData(EventTypes.RepositoryPushed, "[PAY/ledger-service] Push to main and 2 more: 3 commits (pushed by Jonas Becker)")]
    [InlineData(EventTypes.RepositoryForked, "[PAY/ledger-service] Repository forked to ~amara/ledger-service (forked by Amara Okafor)")]
    [InlineData(EventTypes.RepositoryModified, "[PAY/ledger-service] Repository renamed from PAY/ledger (modified by Jonas Becker)")]
    [InlineData(EventTypes.AccountPasswordReset, "Password reset for tomas on git.example.com")]
    public void SubjectIsStablePerThreadAndSaysWhatHappenedElsewhere(string type, string expected) =>
        Assert.EndsWith(expected, Render(type)[0].Subject, StringComparison.Ordinal);

    [Fact]
    public void EveryEmailAboutOnePullRequestHasTheSameSubjectAfterRe()
    {
        var types = new[] { EventTypes.PullRequestOpened, EventTypes.PullRequestApproved, EventTypes.PullRequestUnapproved, EventTypes.PullRequestCommentAdded, EventTypes.PullRequestMerged, EventTypes.PullRequestModified };

        var subjects = types.Select(t => Render(t)[0].Subject).ToList();

        Assert.Single(subjects.Select(s => s.StartsWith("Re: ", StringComparison.Ordinal) ? s[4..] : s).Distinct());
        Assert.Equal([false, true, true, true, true, true], subjects.Select(s => s.StartsWith("Re: ", StringComparison.Ordinal)));
    }

    [Fact]
    public void WhatHappenedIsTheFirstLineOfBothBodies()
    {
        var message = Render(EventTypes.PullRequestApproved)[0];

        Assert.StartsWith("Mei Lin approved pull request #482.\n", message.TextBody, StringComparison.Ordinal);
        Assert.Contains("mso-hide:all;\">Mei Lin approved pull request #482.</div>", message.HtmlBody, StringComparison.Ordinal);
    }

    [Fact]
    public void MessageIdsAreUniquePerEmailAndPerRender()
    {
        var first = Render(EventTypes.PullRequestOpened);
        var second = Render(EventTypes.PullRequestOpened);

        var ids = first.Concat(second).Select(m => m.MessageId!).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(ids, id => Assert.Matches(@"^evt-pullrequest-opened\.[0-9a-f]{12}\.[0-9a-f]{16}@notifier\.example\.com$", id));
        Assert.DoesNotContain("tomas", string.Join(' ', ids), StringComparison.Ordinal);
    }

    [Fact]
    public void AllEmailsAboutOnePullRequestShareOneThread()
    {
        var threads = new[] { EventTypes.PullRequestOpened, EventTypes.PullRequestApproved, EventTypes.PullRequestCommentAdded, EventTypes.PullRequestMerged }
            .SelectMany(type => Render(type))
            .Select(m => (Header(m, "In-Reply-To"), Header(m, "References")))
            .Distinct()
            .ToList();

        Assert.Equal([("<pr.PAY.ledger-service.482@notifier.example.com>", "<pr.PAY.ledger-service.482@notifier.example.com>")], threads);
    }

    [Fact]
    public void DifferentPullRequestsAreDifferentThreads()
    {
        var e = TestEvents.All[EventTypes.PullRequestApproved];
        var other = e with { PullRequest = e.PullRequest! with { Id = 483 } };

        var a = TestEvents.Renderer().Render(e, TestEvents.RecipientsFor(e))[0];
        var b = TestEvents.Renderer().Render(other, TestEvents.RecipientsFor(other))[0];

        Assert.NotEqual(Header(a, "References"), Header(b, "References"));
    }

    [Fact]
    public void CommitDiscussionIsOneThreadPerCommit()
    {
        var added = Render(EventTypes.CommitCommentAdded)[0];
        var edited = Render(EventTypes.CommitCommentEdited)[0];

        Assert.Equal("<commit.PAY.ledger-service.5e8b2d4f6a1c3e7b9d0f2a4c6e8b1d3f5a7c9e20@notifier.example.com>", Header(added, "References"));
        Assert.Equal(Header(added, "References"), Header(edited, "In-Reply-To"));
    }

    [Theory]
    [InlineData(EventTypes.RepositoryPushed)]
    [InlineData(EventTypes.AccountCreated)]
    public void EmailsOutsideADiscussionAreNotThreaded(string type) =>
        Assert.DoesNotContain(Render(type)[0].Headers, h => h.Key is "In-Reply-To" or "References");

    [Fact]
    public void EveryEmailIsMarkedAutomaticAndNamesItsEvent()
    {
        foreach (var type in EventTypes.All)
        {
            var message = Render(type)[0];
            Assert.Equal("auto-generated", Header(message, "Auto-Submitted"));
            Assert.Equal(type, Header(message, "X-Notifier-Event"));
            Assert.Single(message.Headers, h => h.Key == "X-Notifier-Reason");
        }
    }

    [Fact]
    public void ListIdNamesTheRepositoryAndAccountMailHasNone()
    {
        Assert.Equal("PAY/ledger-service <ledger-service.pay.notifier.example.com>", Header(Render(EventTypes.PullRequestOpened)[0], "List-Id"));
        Assert.Equal("PAY/ledger-service <ledger-service.pay.notifier.example.com>", Header(Render(EventTypes.RepositoryPushed)[0], "List-Id"));
        Assert.DoesNotContain(Render(EventTypes.AccountCreated)[0].Headers, h => h.Key == "List-Id");
    }

    [Fact]
    public void IdsUseTheAsciiFormOfAnInternationalSenderDomain()
    {
        var renderer = new EmailRenderer(TestEvents.Options, new Mailbox("noreply@bücher.example"), TestEvents.Clock);
        var e = TestEvents.All[EventTypes.PullRequestOpened];

        var message = renderer.Render(e, TestEvents.RecipientsFor(e))[0];

        Assert.EndsWith("@notifier.xn--bcher-kva.example", message.MessageId, StringComparison.Ordinal);
        Assert.Equal("<pr.PAY.ledger-service.482@notifier.xn--bcher-kva.example>", Header(message, "References"));
    }

    [Fact]
    public void ReplyQuotesTheParentComment()
    {
        var message = Render(EventTypes.PullRequestCommentAdded)[0];

        Assert.Contains("In reply to Tomás Álvarez:\n> Should the budget be per partner", message.TextBody, StringComparison.Ordinal);
        Assert.Contains("Should the budget be per partner", message.HtmlBody, StringComparison.Ordinal);
        Assert.Contains("src/Settlement/RetryBudget.cs, line 42", message.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public void AReplyKnownOnlyByItsParentsIdSaysItIsAReply()
    {
        var e = TestEvents.All[EventTypes.PullRequestCommentReplied];
        e = e with { Comment = e.Comment! with { Parent = null } };

        var message = TestEvents.Renderer().Render(e, TestEvents.RecipientsFor(e))[0];

        Assert.StartsWith("Tomás Álvarez replied to a comment on pull request #482.\n", message.TextBody, StringComparison.Ordinal);
        Assert.DoesNotContain("In reply to", message.TextBody, StringComparison.Ordinal);
        Assert.Contains("?commentId=9150", message.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadyForReviewShowsTheDescriptionAsOpenedDoes()
    {
        var message = Render(EventTypes.PullRequestReadyForReview)[0];

        Assert.StartsWith("Mei Lin marked pull request #487 in PAY/ledger-service as ready for\nreview.\n", message.TextBody, StringComparison.Ordinal);
        Assert.Contains("Description:", message.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public void EditedCommentShowsTheTextBeforeTheEdit()
    {
        var message = Render(EventTypes.PullRequestCommentEdited)[0];

        Assert.Contains("Before the edit:\n> Looks good to me once the flag defaults to off.", message.TextBody, StringComparison.Ordinal);
        Assert.Contains("<strong>off</strong>", message.HtmlBody, StringComparison.Ordinal);
    }

    [Fact]
    public void ModifiedPullRequestShowsPreviousTitleAndTarget()
    {
        var text = Render(EventTypes.PullRequestModified)[0].TextBody;

        Assert.Contains("Title changed from “WIP: retry budget for settlements” to “Add retry budget to the settlement client”", System.Text.RegularExpressions.Regex.Replace(text, @"\s+", " "), StringComparison.Ordinal);
        Assert.Contains("Target branch changed from main to release/2026.12", text, StringComparison.Ordinal);
        Assert.Contains("Previous description:\n> Retry budget, first cut.", text, StringComparison.Ordinal);
    }

    [Fact]
    public void ModificationListsOnlyWhatDiffers()
    {
        // Bitbucket repeats the unchanged title and target as "previous" values.
        var e = TestEvents.All[EventTypes.PullRequestModified];
        e = e with
        {
            Changes = new EventChanges
            {
                PreviousTitle = e.PullRequest!.Title,
                PreviousTarget = e.PullRequest.Target,
                PreviousDescription = "Retry budget, first cut.",
            },
        };

        var text = TestEvents.Renderer().Render(e, TestEvents.RecipientsFor(e))[0].TextBody;

        Assert.DoesNotContain("Title changed", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Target branch changed", text, StringComparison.Ordinal);
        Assert.Contains("  - Description changed\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void ReviewerChangesListWhoWasAddedAndRemoved()
    {
        var text = Render(EventTypes.PullRequestReviewersUpdated)[0].TextBody;

        Assert.Contains("  - Added Amara Okafor\n  - Removed Tomás Álvarez\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void ReviewersAreListedWithTheirState()
    {
        var text = Render(EventTypes.PullRequestNeedsWork)[0].TextBody;

        Assert.Contains("Reviewers: Tomás Álvarez (needs work)\n           Mei Lin (not yet approved)\n", text, StringComparison.Ordinal);
        Assert.Contains("From:      feature/retry-budget\nInto:      main\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void PushListsRefsCommitCountAndCommits()
    {
        var text = Render(EventTypes.RepositoryPushed)[0].TextBody;

        Assert.Contains("Commits: 3", text, StringComparison.Ordinal);
        Assert.Contains("main: 4b1d8e2f6a9 → a7f3c9e1b5d", text, StringComparison.Ordinal);
        Assert.Contains("v3.14.0: created at a7f3c9e1b5d", text, StringComparison.Ordinal);
        Assert.Contains("spike/protobuf-snapshots: deleted", text, StringComparison.Ordinal);
        Assert.Contains("3c9e5a1f7b2 Bump Npgsql to 9.0.2 (Amara Okafor)", text, StringComparison.Ordinal);
    }

    [Fact]
    public void ForkNamesTheOriginAndTheFork()
    {
        var message = Render(EventTypes.RepositoryForked)[0];

        Assert.StartsWith("Amara Okafor forked PAY/ledger-service to ~amara/ledger-service.", message.TextBody, StringComparison.Ordinal);
        Assert.Contains("https://git.example.com/users/amara/repos/ledger-service/browse", message.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public void PullRequestFromAForkNamesTheForkBranch() =>
        Assert.Contains("From:   ~amara/ledger-service:typo-fix", Render(EventTypes.PullRequestDeleted)[0].TextBody, StringComparison.Ordinal);

    [Fact]
    public void AccountEmailStatesWhenTheLinkExpiresInUtcAndRelative()
    {
        var created = Render(EventTypes.AccountCreated)[0];
        var reset = Render(EventTypes.AccountPasswordReset)[0];

        Assert.Contains("expires on Tue 24 Nov 2026, 09:02 UTC (in 3 days)", created.TextBody.Replace("\n", " ", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("Sat 21 Nov 2026, 10:02 UTC (in 59 minutes)", reset.HtmlBody, StringComparison.Ordinal);
        Assert.Contains("If you did not ask for this, ignore this email", reset.TextBody.Replace("\n", " ", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("https://git.example.com/passwordreset?token=Zt5Wq1Lr8Ve3Nk7Xb2Hm9Cy4Pj6Sd0Ga", reset.TextBody, StringComparison.Ordinal);
        Assert.Equal("account", Header(reset, "X-Notifier-Reason"));
    }

    [Fact]
    public void ExpiredAccountLinkSaysSo()
    {
        var e = TestEvents.All[EventTypes.AccountPasswordReset];
        e = e with { Account = e.Account! with { ExpiresAt = TestEvents.Time.AddMinutes(-5) } };

        var message = TestEvents.Renderer().Render(e, TestEvents.RecipientsFor(e))[0];

        Assert.Contains("(already expired)", message.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public void TextPartIsWrappedAt72ColumnsExceptUnbreakableWords()
    {
        var e = TestEvents.All[EventTypes.PullRequestCommentAdded];
        var prose = string.Join(' ', Enumerable.Repeat("Retry budgets keep one slow partner from turning into a queue of stuck settlements.", 8));
        e = e with { Comment = e.Comment! with { Text = prose + "\n\n- " + prose + "\n\nhttps://example.com/" + new string('a', 100) } };

        var message = TestEvents.Renderer().Render(e, TestEvents.RecipientsFor(e))[0];

        var tooLong = message.TextBody.Split('\n').Where(line => line.Length > 72 && line.Trim().Contains(' ', StringComparison.Ordinal)).ToList();
        Assert.Empty(tooLong);
        Assert.Contains("https://example.com/" + new string('a', 100), message.TextBody, StringComparison.Ordinal);
        Assert.Contains("\n  settlements.", message.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public void TextPartSpellsOutTheLinkToTheThing()
    {
        var text = Render(EventTypes.PullRequestApproved)[0].TextBody;

        Assert.Contains("View the pull request:\nhttps://git.example.com/projects/PAY/repos/ledger-service/pull-requests/482\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void HtmlUsesInlineStylesOnlyAndNoScriptsOrImages()
    {
        foreach (var type in EventTypes.All)
        {
            var html = Render(type)[0].HtmlBody!;
            Assert.DoesNotContain("<style", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("class=", html, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("max-width:600px", html, StringComparison.Ordinal);
        }
    }
}
