namespace Notifier.Notifications.Events;

/// <summary>What a push changed.</summary>
public sealed record Push
{
    public required IReadOnlyList<RefChange> Changes { get; init; }

    /// <summary>Commits pushed, when the producer knows.</summary>
    public int? CommitCount { get; init; }

    /// <summary>Some of the pushed commits (newest first), when the producer sends them.</summary>
    public IReadOnlyList<Commit> Commits { get; init; } = [];
}
