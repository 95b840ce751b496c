namespace Notifier.Notifications.Events;

/// <summary>The canonical event types (schema v1: schemas/event.schema.json, docs/events.md) and the category each belongs to.</summary>
public static class EventTypes
{
    public const string PullRequestOpened = "pullrequest.opened";
    public const string PullRequestUpdated = "pullrequest.updated";
    public const string PullRequestModified = "pullrequest.modified";
    public const string PullRequestReviewersUpdated = "pullrequest.reviewers.updated";
    public const string PullRequestApproved = "pullrequest.approved";
    public const string PullRequestUnapproved = "pullrequest.unapproved";
    public const string PullRequestNeedsWork = "pullrequest.needs-work";
    public const string PullRequestMerged = "pullrequest.merged";
    public const string PullRequestDeclined = "pullrequest.declined";
    public const string PullRequestReopened = "pullrequest.reopened";
    public const string PullRequestDeleted = "pullrequest.deleted";
    public const string PullRequestCommentAdded = "pullrequest.comment.added";
    public const string PullRequestCommentEdited = "pullrequest.comment.edited";

    /// <summary>A pull request opened as a draft: its reviewers are told only when it is ready for review.</summary>
    public const string PullRequestDraftOpened = "pullrequest.draft-opened";

    /// <summary>A draft marked ready for review: to its reviewers this is the pull request being opened.</summary>
    public const string PullRequestReadyForReview = "pullrequest.ready-for-review";

    public const string PullRequestConvertedToDraft = "pullrequest.converted-to-draft";

    /// <summary>A reply to a comment; <c>comment.parent</c> (or only its id) names the comment replied to.</summary>
    public const string PullRequestCommentReplied = "pullrequest.comment.replied";

    /// <summary>Someone asked for the pull request to merge by itself once its merge checks pass.</summary>
    public const string PullRequestAutoMergeRequested = "pullrequest.auto-merge.requested";

    public const string PullRequestAutoMergeCancelled = "pullrequest.auto-merge.cancelled";
    public const string CommitCommentAdded = "commit.comment.added";
    public const string CommitCommentEdited = "commit.comment.edited";
    public const string RepositoryPushed = "repository.pushed";
    public const string RepositoryForked = "repository.forked";
    public const string RepositoryModified = "repository.modified";
    public const string RepositoryDeleted = "repository.deleted";
    public const string AccountCreated = "account.created";
    public const string AccountPasswordReset = "account.password-reset";

    /// <summary>Every canonical type, in documentation order.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        PullRequestOpened, PullRequestUpdated, PullRequestModified, PullRequestReviewersUpdated,
        PullRequestApproved, PullRequestUnapproved, PullRequestNeedsWork, PullRequestMerged,
        PullRequestDeclined, PullRequestReopened, PullRequestDeleted, PullRequestCommentAdded,
        PullRequestCommentEdited, PullRequestDraftOpened, PullRequestReadyForReview, PullRequestConvertedToDraft,
        PullRequestCommentReplied, PullRequestAutoMergeRequested, PullRequestAutoMergeCancelled, CommitCommentAdded, CommitCommentEdited, RepositoryPushed,
        RepositoryForked, RepositoryModified, RepositoryDeleted, AccountCreated, AccountPasswordReset,
    ];

    /// <summary>The category of a canonical type; null for an unknown type.</summary>
    public static EventCategory? CategoryOf(string type) => type switch
    {
        _ when type.StartsWith("pullrequest.", StringComparison.Ordinal) && All.Contains(type) => EventCategory.PullRequest,
        _ when (type.StartsWith("repository.", StringComparison.Ordinal) || type.StartsWith("commit.", StringComparison.Ordinal)) && All.Contains(type) => EventCategory.Repository,
        _ when type.StartsWith("account.", StringComparison.Ordinal) && All.Contains(type) => EventCategory.Account,
        _ => null,
    };
}
