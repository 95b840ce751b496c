namespace Notifier.Notifications.Events;

/// <summary>
/// Checks a parsed event against the deployment's rules before anything is rendered: account links must be
/// https and start with <c>Notifications__BaseUrl</c>, an account email goes only to its user, and so on.
/// </summary>
public sealed class EventPolicy
{
    public EventPolicy(NotificationOptions options) => ArgumentNullException.ThrowIfNull(options);

    /// <summary>Null when the event may be sent; otherwise the rejection reason (never containing the link).</summary>
    public string? Check(NotificationEvent notificationEvent) =>
        throw new NotImplementedException("issue 3: policy checks");
}
