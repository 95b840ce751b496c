using Notifier.Notifications.Events;

namespace Notifier.Notifications.Recipients;

/// <summary>Decides who gets mail about an event (the rules are listed in docs/events.md, "Who gets mail").</summary>
/// <remarks>
/// <list type="bullet">
/// <item>Account events: only the account's user (reason <see cref="RecipientReason.Account"/>), even when
/// they are the actor (a user who asks for a password reset must get the link).</item>
/// <item>Explicit <c>recipients</c>: exactly those; each gets the role they have in the event
/// (author, reviewer, participant) or <see cref="RecipientReason.Watcher"/>.</item>
/// <item>Otherwise by role, as Bitbucket does: <c>pullrequest.opened</c> and <c>pullrequest.ready-for-review</c>
/// → reviewers; <c>pullrequest.draft-opened</c> → nobody (a draft's reviewers learn of it when it is ready);
/// other pull-request events → author, reviewers, participants (plus reviewers added or removed, and the
/// authors of the comments replied to); commit discussions → the commit's author and the authors of the comments in the thread;
/// repository events → nobody (they have no roles; producers name recipients).</item>
/// <item>The actor never gets mail about their own action; one address gets one email, with the strongest
/// reason; users without an address are skipped and counted; invalid addresses are reported, not sent.</item>
/// </list>
/// </remarks>
public sealed class RecipientResolver
{
    public const string RepositoryEventsNeedRecipients =
        "repository events have no roles to derive recipients from: only the event's explicit \"recipients\" get mail, and this event names none";

    public const string DraftsNotifyNobody =
        "a pull request opened as a draft notifies its reviewers only when it is marked ready for review (as Bitbucket does): only the event's explicit \"recipients\" get mail, and this event names none";

    public RecipientSet Resolve(NotificationEvent notificationEvent)
    {
        ArgumentNullException.ThrowIfNull(notificationEvent);
        if (notificationEvent.Category == EventCategory.Account)
        {
            var account = new RecipientListBuilder(actor: null);
            account.Add(notificationEvent.Account?.User, RecipientReason.Account);
            return account.Build();
        }

        var builder = new RecipientListBuilder(notificationEvent.Actor);
        if (notificationEvent.Recipients is { } explicitRecipients)
        {
            foreach (var user in explicitRecipients)
            {
                builder.Add(user, RoleOf(notificationEvent, user) ?? RecipientReason.Watcher);
            }

            return builder.Build();
        }

        if (notificationEvent.Type == EventTypes.PullRequestDraftOpened)
        {
            return builder.Build(DraftsNotifyNobody);
        }

        if (notificationEvent.PullRequest is { } pullRequest && notificationEvent.Category == EventCategory.PullRequest)
        {
            AddPullRequestRoles(builder, notificationEvent, pullRequest);
            return builder.Build();
        }

        if (notificationEvent.Commit is { } commit)
        {
            builder.Add(commit.Author, RecipientReason.Author);
            AddThread(builder, notificationEvent.Comment);
            return builder.Build();
        }

        return builder.Build(notificationEvent.Category == EventCategory.Repository ? RepositoryEventsNeedRecipients : null);
    }

    private static void AddPullRequestRoles(RecipientListBuilder builder, NotificationEvent notificationEvent, PullRequest pullRequest)
    {
        builder.AddRange(pullRequest.Reviewers, RecipientReason.Reviewer);

        // A draft marked ready for review is, to its reviewers, the pull request being opened.
        if (notificationEvent.Type is EventTypes.PullRequestOpened or EventTypes.PullRequestReadyForReview)
        {
            return;
        }

        builder.Add(pullRequest.Author, RecipientReason.Author);
        if (notificationEvent.Changes is { } changes)
        {
            builder.AddRange(changes.AddedReviewers, RecipientReason.Reviewer);

            // A removed reviewer is no longer one, but should learn they were taken off.
            builder.AddRange(changes.RemovedReviewers, RecipientReason.Participant);
        }

        builder.AddRange(pullRequest.Participants, RecipientReason.Participant);
        AddThread(builder, notificationEvent.Comment);
    }

    /// <summary>The comment's author (when someone else edited it) and the authors of the comments it replies to.</summary>
    private static void AddThread(RecipientListBuilder builder, Comment? comment)
    {
        for (var depth = 0; comment is not null && depth < EventLimits.MaxDepth; depth++, comment = comment.Parent)
        {
            builder.Add(comment.Author, RecipientReason.Participant);
        }
    }

    private static RecipientReason? RoleOf(NotificationEvent notificationEvent, User user)
    {
        if (notificationEvent.PullRequest is { } pullRequest)
        {
            if (SamePerson(pullRequest.Author, user))
            {
                return RecipientReason.Author;
            }

            if (pullRequest.Reviewers.Any(r => SamePerson(r.User, user)))
            {
                return RecipientReason.Reviewer;
            }

            if (pullRequest.Participants.Any(p => SamePerson(p.User, user)))
            {
                return RecipientReason.Participant;
            }
        }

        return notificationEvent.Commit?.Author is { } commitAuthor && SamePerson(commitAuthor, user) ? RecipientReason.Author : null;
    }

    private static bool SamePerson(User a, User b) =>
        string.Equals(a.Name, b.Name, StringComparison.OrdinalIgnoreCase)
        || (a.Email is not null && string.Equals(a.Email, b.Email, StringComparison.OrdinalIgnoreCase));
}
