namespace Notifier.Notifications.Recipients;

/// <summary>Who gets mail about an event, and who was left out.</summary>
/// <param name="Recipients">Deduplicated, actor removed.</param>
/// <param name="SkippedWithoutAddress">Users left out because they have no email address.</param>
/// <param name="InvalidAddresses">Addresses left out because they are not valid (reported, never sent); control characters are shown escaped.</param>
public sealed record RecipientSet(IReadOnlyList<Recipient> Recipients, int SkippedWithoutAddress, IReadOnlyList<string> InvalidAddresses)
{
    /// <summary>
    /// Why nobody was chosen by role, when that is by design (e.g. a repository event without explicit
    /// recipients); null otherwise. For the log line of an event that produced no email.
    /// </summary>
    public string? Note { get; init; }
}
