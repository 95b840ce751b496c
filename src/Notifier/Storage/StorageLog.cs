namespace Notifier.Storage;

/// <summary>Log lines about the storage account (event ids 3200-3299). Connection strings and keys are never logged.</summary>
internal static partial class StorageLog
{
    [LoggerMessage(EventId = 3200, Level = LogLevel.Warning,
        Message = "{Function}: message {MessageId}: the storage account could not be reached, so only this process remembers it was handled: {Reason}")]
    public static partial void LedgerUnavailable(ILogger logger, string function, string messageId, string reason);

    [LoggerMessage(EventId = 3201, Level = LogLevel.Warning,
        Message = "{Function}: message {MessageId} was handled, but its outcome could not be recorded in the storage account: {Reason}")]
    public static partial void LedgerNotRecorded(ILogger logger, string function, string messageId, string reason);

    [LoggerMessage(EventId = 3202, Level = LogLevel.Warning,
        Message = "AzureWebJobsStorage is not set: events are sent at once (no digests) and a redelivered message is recognised only by the process that handled it")]
    public static partial void NotConfigured(ILogger logger);

    [LoggerMessage(EventId = 3203, Level = LogLevel.Information,
        Message = "Batching: {Mode}, quiet period {QuietPeriod}, at most {MaxDelay}; digests and handled messages are kept in the tables of storage account {Account}")]
    public static partial void Configured(ILogger logger, Notifier.Notifications.Batching.BatchingMode mode, TimeSpan quietPeriod, TimeSpan maxDelay, string account);

    [LoggerMessage(EventId = 3204, Level = LogLevel.Warning,
        Message = "{Function}: message {MessageId} is being handled by another instance; it goes back to the queue and comes again")]
    public static partial void InProgressElsewhere(ILogger logger, string function, string? messageId);

    [LoggerMessage(EventId = 3205, Level = LogLevel.Information, Message = "FlushBatches: {Result}; {Removed} old message record(s) removed")]
    public static partial void Flushed(ILogger logger, string result, int removed);

    [LoggerMessage(EventId = 3206, Level = LogLevel.Warning, Message = "Old message records could not be removed: {Reason}")]
    public static partial void CleanUpFailed(ILogger logger, string reason);
}
