namespace Notifier.Notifications.Delivery;

/// <summary>How an event ended (DESIGN §1). Every event ends in exactly one of these.</summary>
public enum DeliveryOutcome
{
    /// <summary>The server accepted the mail for at least one recipient, or nobody needed mail.</summary>
    Delivered,

    /// <summary>The event was valid but sending failed; never retried.</summary>
    Dropped,

    /// <summary>The event itself is bad; it is forwarded with the reason to <c>rejected-events</c>.</summary>
    Rejected,

    /// <summary>
    /// Valid, and waiting in the recipients' digests (Notifications__Batching__Mode=Batched); nothing was sent
    /// yet. FlushBatches sends the digests later.
    /// </summary>
    Batched,
}
