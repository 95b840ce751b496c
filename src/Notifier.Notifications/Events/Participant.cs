namespace Notifier.Notifications.Events;

/// <summary>A reviewer or participant and their review state.</summary>
public sealed record Participant(User User, ReviewStatus Status = ReviewStatus.Unapproved);
