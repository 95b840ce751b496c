using Notifier.Notifications.Events;
using Notifier.Notifications.Recipients;
using Notifier.Smtp.Messages;

namespace Notifier.Notifications.Rendering;

/// <summary>Turns an event and its recipients into the emails to send (one per recipient).</summary>
public sealed class EmailRenderer
{
    public EmailRenderer(NotificationOptions options, Mailbox from)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(from);
    }

    public IReadOnlyList<EmailMessage> Render(NotificationEvent notificationEvent, RecipientSet recipients) =>
        throw new NotImplementedException("issue 3: rendering");
}
