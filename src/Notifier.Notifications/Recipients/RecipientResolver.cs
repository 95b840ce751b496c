using Notifier.Notifications.Events;

namespace Notifier.Notifications.Recipients;

/// <summary>Decides who gets mail about an event (DESIGN §6).</summary>
public sealed class RecipientResolver
{
    public RecipientSet Resolve(NotificationEvent notificationEvent) =>
        throw new NotImplementedException("issue 3: recipients");
}
