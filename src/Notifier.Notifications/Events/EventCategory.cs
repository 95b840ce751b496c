namespace Notifier.Notifications.Events;

/// <summary>Which queue an event belongs to. A queue function rejects events of another category.</summary>
public enum EventCategory
{
    PullRequest,
    Repository,
    Account,
}
