using Microsoft.Extensions.Logging;

namespace Notifier.Notifications.Delivery;

/// <summary>
/// The pipeline's log lines. Every outcome names the event id and type and the Service Bus message id
/// ("unknown" when one could not be read, never "(null)"); values that come from events or
/// servers are passed as parameters, never formatted into templates. Links, tokens and credentials never
/// appear: reasons come from the parser and the policy, which leave them out.
/// </summary>
internal static partial class DeliveryLog
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Information,
        Message = "Delivered event {EventId} ({EventType}), message {MessageId}: {MessagesSent} email(s), {RecipientCount} recipient(s), {RefusedCount} refused; server replied {ServerReply}")]
    public static partial void Delivered(ILogger logger, string eventId, string eventType, string messageId, int messagesSent, int recipientCount, int refusedCount, string? serverReply);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information,
        Message = "Delivered event {EventId} ({EventType}), message {MessageId}: nobody to notify ({SkippedWithoutAddress} without an address, {InvalidCount} invalid address(es))")]
    public static partial void NobodyToNotify(ILogger logger, string eventId, string eventType, string messageId, int skippedWithoutAddress, int invalidCount);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Error,
        Message = "Dropped event {EventId} ({EventType}), message {MessageId}, for {RecipientCount} recipient(s): {Reason}")]
    public static partial void Dropped(ILogger logger, string eventId, string eventType, string messageId, int recipientCount, string reason);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning,
        Message = "Rejected event {EventId} ({EventType}), message {MessageId}: {Reason}")]
    public static partial void Rejected(ILogger logger, string eventId, string eventType, string messageId, string reason);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning,
        Message = "Event {EventId} ({EventType}), message {MessageId}: the server refused {Recipient}: {Reply}")]
    public static partial void RecipientRefused(ILogger logger, string eventId, string eventType, string messageId, string recipient, string reply);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Error,
        Message = "Event {EventId} ({EventType}), message {MessageId}: one of its emails was not sent (the others were): {Reason}")]
    public static partial void EmailFailed(ILogger logger, string eventId, string eventType, string messageId, string reason);
}
