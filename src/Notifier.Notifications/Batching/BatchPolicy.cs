using System.Globalization;
using Notifier.Notifications.Events;
using Notifier.Notifications.Recipients;

namespace Notifier.Notifications.Batching;

/// <summary>
/// Decides, per recipient, whether an event waits in a digest and which digest: Bitbucket's rules. A pull
/// request opened (also as a draft, or a draft marked ready for review: that is when its reviewers first hear
/// of it) or deleted, a reviewer being added (for that reviewer), every account event and every
/// recipient the producer marked <c>immediate</c> go out at once; other pull-request events wait per
/// (recipient, pull request); repository and commit events wait per (recipient, repository) only when
/// <see cref="BatchingOptions.Repositories"/> is on.
/// </summary>
public sealed class BatchPolicy(BatchingOptions options)
{
    public BatchingOptions Options { get; } = options ?? throw new ArgumentNullException(nameof(options));

    /// <summary>The thread the recipient's digest collects, e.g. <c>pr:PAY/ledger-service/482</c>; null to send at once.</summary>
    public string? ThreadOf(NotificationEvent notificationEvent, Recipient recipient)
    {
        ArgumentNullException.ThrowIfNull(notificationEvent);
        ArgumentNullException.ThrowIfNull(recipient);
        if (Options.Mode == BatchingMode.Immediate || notificationEvent.Repository is not { } repository || IsMarkedImmediate(notificationEvent, recipient.User))
        {
            return null;
        }

        var repo = $"{repository.ProjectKey}/{repository.Slug}";
        switch (notificationEvent.Category)
        {
            case EventCategory.PullRequest when notificationEvent.PullRequest is { } pullRequest:
                if (notificationEvent.Type is EventTypes.PullRequestOpened or EventTypes.PullRequestDraftOpened
                        or EventTypes.PullRequestReadyForReview or EventTypes.PullRequestDeleted
                    || (notificationEvent.Type == EventTypes.PullRequestReviewersUpdated && Contains(notificationEvent.Changes?.AddedReviewers, recipient.User)))
                {
                    return null;
                }

                return $"pr:{repo}/{pullRequest.Id.ToString(CultureInfo.InvariantCulture)}";
            case EventCategory.Repository when Options.Repositories:
                return $"repo:{repo}";
            default:
                return null;
        }
    }

    private static bool IsMarkedImmediate(NotificationEvent e, User user) =>
        e.ImmediateRecipients.Count > 0 && e.ImmediateRecipients.Contains(user.Name, StringComparer.Ordinal);

    private static bool Contains(IReadOnlyList<User>? users, User user) =>
        users is not null && users.Any(u => string.Equals(u.Name, user.Name, StringComparison.Ordinal)
            || (u.Email is { Length: > 0 } email && string.Equals(email, user.Email, StringComparison.OrdinalIgnoreCase)));
}
