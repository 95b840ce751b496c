using System.Diagnostics.CodeAnalysis;
using Notifier.Notifications.Events;
using Notifier.Notifications.Recipients;
using Notifier.Smtp.Messages;

namespace Notifier.Notifications.Delivery;

/// <summary>
/// An event taken through every step before sending (parse, check, recipients, render): either the emails
/// to send or the reason the event is rejected. <c>notifier render</c> stops here.
/// </summary>
public sealed record PreparedDelivery
{
    public NotificationEvent? Event { get; private init; }

    public RecipientSet? Recipients { get; private init; }

    public IReadOnlyList<EmailMessage> Messages { get; private init; } = [];

    /// <summary>Why the event is rejected; null when it is ready to send.</summary>
    public string? RejectionReason { get; private init; }

    public string? EventId { get; private init; }

    public string? EventType { get; private init; }

    /// <summary>
    /// True with a <see cref="RejectionReason"/>; false with <see cref="Recipients"/>, and with the <see cref="Event"/>
    /// unless the event mails nobody by design (<see cref="WithoutEmail"/>).
    /// </summary>
    [MemberNotNullWhen(true, nameof(RejectionReason))]
    [MemberNotNullWhen(false, nameof(Recipients))]
    public bool IsRejected => RejectionReason is not null;

    public static PreparedDelivery Rejected(string reason, string? eventId, string? eventType) =>
        new() { RejectionReason = reason, EventId = eventId, EventType = eventType };

    /// <summary>A valid event that mails nobody by design; <paramref name="reason"/> says why.</summary>
    public static PreparedDelivery WithoutEmail(string reason, string? eventId, string? eventType) =>
        new() { Recipients = new RecipientSet([], 0, []) { Note = reason }, EventId = eventId, EventType = eventType };

    public static PreparedDelivery Ready(NotificationEvent notificationEvent, RecipientSet recipients, IReadOnlyList<EmailMessage> messages) =>
        new()
        {
            Event = notificationEvent,
            Recipients = recipients,
            Messages = messages,
            EventId = notificationEvent.Id,
            EventType = notificationEvent.Type,
        };
}
