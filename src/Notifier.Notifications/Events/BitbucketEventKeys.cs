using System.Collections.Frozen;

namespace Notifier.Notifications.Events;

/// <summary>
/// Which Bitbucket Data Center webhook event keys (<c>X-Event-Key</c>, or <c>eventKey</c> in the body) map onto
/// which canonical type. Keys not listed (for example <c>pr:comment:deleted</c>) have no notification.
/// </summary>
public static class BitbucketEventKeys
{
    /// <summary>Event key → canonical type, in documentation order.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Mapping { get; } =
    [
        new("pr:opened", EventTypes.PullRequestOpened),
        new("pr:from_ref_updated", EventTypes.PullRequestUpdated),
        new("pr:modified", EventTypes.PullRequestModified),
        new("pr:reviewer:updated", EventTypes.PullRequestReviewersUpdated),
        new("pr:reviewer:approved", EventTypes.PullRequestApproved),
        new("pr:reviewer:unapproved", EventTypes.PullRequestUnapproved),
        new("pr:reviewer:needs_work", EventTypes.PullRequestNeedsWork),
        new("pr:reviewer:changes_requested", EventTypes.PullRequestNeedsWork),
        new("pr:merged", EventTypes.PullRequestMerged),
        new("pr:declined", EventTypes.PullRequestDeclined),
        new("pr:reopened", EventTypes.PullRequestReopened),
        new("pr:deleted", EventTypes.PullRequestDeleted),
        new("pr:comment:added", EventTypes.PullRequestCommentAdded),
        new("pr:comment:edited", EventTypes.PullRequestCommentEdited),
        new("repo:comment:added", EventTypes.CommitCommentAdded),
        new("repo:comment:edited", EventTypes.CommitCommentEdited),
        new("repo:refs_changed", EventTypes.RepositoryPushed),
        new("repo:forked", EventTypes.RepositoryForked),
        new("repo:modified", EventTypes.RepositoryModified),
    ];

    private static readonly FrozenDictionary<string, string> ByKey = Mapping.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The canonical type for a key; null when the key has no notification.</summary>
    public static string? CanonicalTypeOf(string eventKey) => ByKey.GetValueOrDefault(eventKey);
}
