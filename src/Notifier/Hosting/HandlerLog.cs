
namespace Notifier.Hosting;

/// <summary>The handler's own log lines (delivery outcomes are logged by the pipeline).</summary>
internal static partial class HandlerLog
{
    [LoggerMessage(EventId = 3010, Level = LogLevel.Critical, Message = "{Problems}")]
    public static partial void SettingsInvalid(ILogger logger, string problems);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Error, Message = "{Function}: the invocation could not be read: {Reason}")]
    public static partial void InvocationUnreadable(ILogger logger, string function, string reason);

    [LoggerMessage(EventId = 3012, Level = LogLevel.Information,
        Message = "{Function}: message {MessageId} (delivery {DeliveryCount}) was handled already ({Outcome}); not mailed again")]
    public static partial void Duplicate(ILogger logger, string function, string? messageId, string deliveryCount, string outcome);

    [LoggerMessage(EventId = 3013, Level = LogLevel.Error, Message = "{Function}: refused while the settings are not usable; the message goes back to the queue")]
    public static partial void RefusedWhileMisconfigured(ILogger logger, string function);

    [LoggerMessage(EventId = 3700, Level = LogLevel.Information, Message = "Listening on {Addresses}")]
    public static partial void Listening(ILogger logger, string addresses);

    [LoggerMessage(EventId = 3850, Level = LogLevel.Critical, Message = "The settings could not be reported at start; invocations report them when they are used")]
    public static partial void SettingsReportFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3014, Level = LogLevel.Information, Message = "Test email to {Recipient}: {Result}")]
    public static partial void TestEmailSucceeded(ILogger logger, string recipient, string result);

    [LoggerMessage(EventId = 3015, Level = LogLevel.Warning, Message = "Test email to {Recipient} failed ({Status}): {Error} Hint: {Hint}")]
    public static partial void TestEmailFailed(ILogger logger, string recipient, int status, string? error, string? hint);
}
