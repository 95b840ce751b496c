namespace Notifier.Storage;

/// <summary>Another instance is handling the same Service Bus message right now; the message should come again later.</summary>
internal sealed class MessageInProgressException : Exception
{
    public MessageInProgressException()
    {
    }

    public MessageInProgressException(string messageId)
        : base($"message {messageId} is being handled by another instance")
    {
    }

    public MessageInProgressException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
