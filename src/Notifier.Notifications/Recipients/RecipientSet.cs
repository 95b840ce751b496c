namespace Notifier.Notifications.Recipients;

/// <summary>Who gets mail about an event, and who was left out.</summary>
/// <param name="Recipients">Deduplicated, actor removed.</param>
/// <param name="SkippedWithoutAddress">Users left out because they have no email address.</param>
/// <param name="InvalidAddresses">Addresses left out because they are not valid (reported, never sent).</param>
public sealed record RecipientSet(IReadOnlyList<Recipient> Recipients, int SkippedWithoutAddress, IReadOnlyList<string> InvalidAddresses);
