using Notifier.Smtp.Messages;

namespace Notifier.Notifications.Recipients;

/// <summary>One person who gets mail about an event, and why.</summary>
public sealed record Recipient(Events.User User, Mailbox Mailbox, RecipientReason Reason);
