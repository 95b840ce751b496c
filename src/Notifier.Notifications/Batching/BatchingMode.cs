namespace Notifier.Notifications.Batching;

/// <summary><c>Notifications__Batching__Mode</c>: whether pull-request activity waits to be sent as one digest.</summary>
public enum BatchingMode
{
    /// <summary>As Bitbucket does by default: activity per person and pull request becomes one digest.</summary>
    Batched,

    /// <summary>One email per event, at once.</summary>
    Immediate,
}
