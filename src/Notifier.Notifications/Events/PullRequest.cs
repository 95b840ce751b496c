namespace Notifier.Notifications.Events;

/// <summary>A pull request as of the event.</summary>
public sealed record PullRequest
{
    public required long Id { get; init; }

    public required string Title { get; init; }

    /// <summary>Markdown; null when empty (Bitbucket leaves it out).</summary>
    public string? Description { get; init; }

    /// <summary>OPEN, MERGED or DECLINED.</summary>
    public string State { get; init; } = "OPEN";

    public Uri? Url { get; init; }

    public required User Author { get; init; }

    public required BranchRef Source { get; init; }

    public required BranchRef Target { get; init; }

    public IReadOnlyList<Participant> Reviewers { get; init; } = [];

    /// <summary>Participants who are neither author nor reviewer (commenters and the like).</summary>
    public IReadOnlyList<Participant> Participants { get; init; } = [];
}
