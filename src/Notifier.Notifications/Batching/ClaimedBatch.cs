namespace Notifier.Notifications.Batching;

/// <summary>A digest one instance has claimed for sending, with its items in the order they happened.</summary>
/// <param name="BatchKey">The digest's key.</param>
/// <param name="ClaimTag">The store's version of the claim, so only the claimer completes it.</param>
/// <param name="Items">Every item, oldest first.</param>
public sealed record ClaimedBatch(string BatchKey, string ClaimTag, IReadOnlyList<BatchItem> Items);
