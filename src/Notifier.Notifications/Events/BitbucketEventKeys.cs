using System.Collections.Frozen;

namespace Notifier.Notifications.Events;

/// <summary>
/// Which Bitbucket Data Center webhook event keys (<c>X-Event-Key</c>, or <c>eventKey</c> in the body) map onto
/// which canonical type, and which keys are valid events that Bitbucket itself sends no email for.
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

    /// <summary>
    /// Keys of real activity that Bitbucket sends no email about. Their bodies are read (so a broken one is
    /// still rejected) and then delivered to nobody: forwarding every key of a webhook is not a mistake.
    /// </summary>
    public static IReadOnlyList<string> WithoutEmail { get; } = ["pr:comment:deleted", "repo:comment:deleted"];

    private static readonly FrozenDictionary<string, string> ByKey = Mapping.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenSet<string> SilentKeys = WithoutEmail.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>The canonical type for a key; null when the key has no notification.</summary>
    public static string? CanonicalTypeOf(string eventKey) => ByKey.GetValueOrDefault(eventKey);

    /// <summary>Whether the key is one of <see cref="WithoutEmail"/>.</summary>
    public static bool IsWithoutEmail(string eventKey) => SilentKeys.Contains(eventKey);

    /// <summary>The queue a key belongs on by its prefix: <c>pr:</c> and <c>repo:</c>; null for any other key.</summary>
    public static EventCategory? CategoryOf(string eventKey) => eventKey switch
    {
        _ when eventKey.StartsWith("pr:", StringComparison.Ordinal) => EventCategory.PullRequest,
        _ when eventKey.StartsWith("repo:", StringComparison.Ordinal) => EventCategory.Repository,
        _ => null,
    };
}
