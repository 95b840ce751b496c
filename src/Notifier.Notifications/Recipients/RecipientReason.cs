namespace Notifier.Notifications.Recipients;

/// <summary>Why someone gets an email; stated in the email and in <c>X-Notifier-Reason</c>.</summary>
public enum RecipientReason
{
    Author,
    Reviewer,
    Participant,
    Watcher,
    Account,
}
