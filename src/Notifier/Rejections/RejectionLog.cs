namespace Notifier.Rejections;

/// <summary>Log lines about rejected bodies too large for their envelope.</summary>
internal static partial class RejectionLog
{
    [LoggerMessage(EventId = 3400, Level = LogLevel.Information,
        Message = "Rejected message {MessageId}: its body ({Size} bytes) does not fit the {MaxBytes}-byte envelope, so it was stored whole as blob {Container}/{Name} (SHA-256 {Sha256})")]
    public static partial void BodyStored(ILogger logger, string messageId, long size, int maxBytes, string container, string name, string sha256);

    [LoggerMessage(EventId = 3401, Level = LogLevel.Error,
        Message = "Rejected message {MessageId}: its body ({Size} bytes, SHA-256 {Sha256}) does not fit the {MaxBytes}-byte envelope and could not be stored in blob container {Container}: {Reason}. The envelope carries the body truncated")]
    public static partial void BodyNotStored(ILogger logger, string messageId, long size, string sha256, int maxBytes, string container, string reason);
}
