namespace Notifier.Notifications.Events;

/// <summary>
/// What a <c>pullrequest.modified</c>, <c>pullrequest.reviewers.updated</c> or <c>repository.modified</c>
/// event changed. Only the fields that changed are set.
/// </summary>
public sealed record EventChanges
{
    public string? PreviousTitle { get; init; }

    public string? PreviousDescription { get; init; }

    public BranchRef? PreviousTarget { get; init; }

    /// <summary>For <c>repository.modified</c>: the repository before the change.</summary>
    public Repository? PreviousRepository { get; init; }

    public IReadOnlyList<User> AddedReviewers { get; init; } = [];

    public IReadOnlyList<User> RemovedReviewers { get; init; } = [];
}
