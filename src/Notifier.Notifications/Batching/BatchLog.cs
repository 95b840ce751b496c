using Microsoft.Extensions.Logging;

namespace Notifier.Notifications.Batching;

/// <summary>Log lines of batching and digests (event ids 1100-1199). Addresses and links are never logged here.</summary>
internal static partial class BatchLog
{
    [LoggerMessage(EventId = 1100, Level = LogLevel.Warning,
        Message = "Event {EventId} ({EventType}): the batch store could not be reached, so {RecipientCount} recipient(s) get their email now instead of in a digest: {Reason}")]
    public static partial void StoreUnavailable(ILogger logger, string? eventId, string? eventType, int recipientCount, string reason);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information,
        Message = "Batched event {EventId} ({EventType}), message {MessageId}: waiting in {DigestCount} digest(s)")]
    public static partial void Batched(ILogger logger, string eventId, string eventType, string messageId, int digestCount);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Information,
        Message = "Event {EventId} ({EventType}) was already waiting in {DigestCount} digest(s); not added twice")]
    public static partial void AlreadyWaiting(ILogger logger, string? eventId, string? eventType, int digestCount);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Information,
        Message = "Sent a digest of {ItemCount} update(s) about {Thread}; server replied {ServerReply}")]
    public static partial void DigestSent(ILogger logger, int itemCount, string thread, string? serverReply);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Error,
        Message = "Dropped a digest of {ItemCount} update(s) about {Thread}: {Reason}")]
    public static partial void DigestDropped(ILogger logger, int itemCount, string thread, string reason);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Warning,
        Message = "Event {EventId} in a digest about {Thread} could not be read again and is left out: {Reason}")]
    public static partial void ItemUnreadable(ILogger logger, string eventId, string thread, string reason);

    [LoggerMessage(EventId = 1106, Level = LogLevel.Error,
        Message = "Flushing digests stopped: the batch store could not be reached: {Reason}")]
    public static partial void FlushFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 1107, Level = LogLevel.Information,
        Message = "Flushed {DigestCount} digest(s) with {ItemCount} update(s): {Delivered} sent, {Dropped} dropped")]
    public static partial void Flushed(ILogger logger, int digestCount, int itemCount, int delivered, int dropped);

    [LoggerMessage(EventId = 1108, Level = LogLevel.Error,
        Message = "A digest about {Thread} was sent or dropped but could not be removed from the store, so it may be sent again: {Reason}")]
    public static partial void CompleteFailed(ILogger logger, string thread, string reason);
}
