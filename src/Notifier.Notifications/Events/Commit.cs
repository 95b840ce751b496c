namespace Notifier.Notifications.Events;

/// <summary>A commit under discussion.</summary>
public sealed record Commit
{
    /// <summary>Full hash.</summary>
    public required string Id { get; init; }

    public string? Message { get; init; }

    public User? Author { get; init; }

    public Uri? Url { get; init; }

    public string DisplayId => Id.Length > 11 ? Id[..11] : Id;
}
