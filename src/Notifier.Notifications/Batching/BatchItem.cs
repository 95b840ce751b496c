using Notifier.Notifications.Recipients;

namespace Notifier.Notifications.Batching;

/// <summary>
/// One event waiting in one person's digest. The event's original body is kept and read again when the
/// digest is sent, so the digest says exactly what the single emails would have said.
/// </summary>
/// <param name="Thread">What the digest collects (<see cref="BatchPolicy.ThreadOf"/>).</param>
/// <param name="RecipientAddress">Where the digest goes.</param>
/// <param name="RecipientName">The display name for the To header.</param>
/// <param name="Reason">Why the person gets mail about the event.</param>
/// <param name="EventId">The event's id; an event is added to a digest once, however often it is delivered.</param>
/// <param name="EventType">The canonical type.</param>
/// <param name="EventTime">When it happened; the digest lists items in this order.</param>
/// <param name="Body">The message body as it arrived.</param>
/// <param name="EventKey">The Bitbucket event key that came with the body, if any.</param>
public sealed record BatchItem(
    string Thread,
    string RecipientAddress,
    string? RecipientName,
    RecipientReason Reason,
    string EventId,
    string EventType,
    DateTimeOffset EventTime,
    ReadOnlyMemory<byte> Body,
    string? EventKey)
{
    /// <summary>The digest this item belongs to: one per (recipient, thread).</summary>
    public string BatchKey => BatchKeys.For(RecipientAddress, Thread);
}
