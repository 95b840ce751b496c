using Notifier.Notifications.Events;

namespace Notifier.Notifications.Rendering;

/// <summary>
/// The one entry point from an event to what its email says: picks the event family (pull request, commit
/// discussion, repository, account) and lets that family's builder write the subject, headline, facts,
/// sections and link. Everything is plain text; the writers escape it. Missing optional parts degrade to less
/// context, never to an exception.
/// </summary>
internal sealed class EventContentBuilder(TimeProvider timeProvider, Uri? siteUrl)
{
    private readonly AccountContent _account = new(timeProvider, siteUrl);

    public EmailContent Build(NotificationEvent e) => e.Type switch
    {
        EventTypes.CommitCommentAdded or EventTypes.CommitCommentEdited => CommitDiscussionContent.Build(e),
        EventTypes.RepositoryPushed => RepositoryContent.Pushed(e),
        EventTypes.RepositoryForked => RepositoryContent.Forked(e),
        EventTypes.RepositoryModified => RepositoryContent.Modified(e),
        EventTypes.RepositoryDeleted => RepositoryContent.Deleted(e),
        EventTypes.AccountCreated or EventTypes.AccountPasswordReset => _account.Build(e),
        _ when e.PullRequest is not null => PullRequestContent.Build(e, e.PullRequest),
        _ => RepositoryContent.Other(e),
    };
}
