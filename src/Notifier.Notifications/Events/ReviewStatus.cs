namespace Notifier.Notifications.Events;

/// <summary>A reviewer's verdict, as Bitbucket names it.</summary>
public enum ReviewStatus
{
    Unapproved,
    Approved,
    NeedsWork,
}
