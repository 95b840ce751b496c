namespace Notifier.Publishing;

/// <summary>Sending to a queue failed; the inner exception is what the Service Bus client or the sign-in threw.</summary>
internal sealed class QueuePublishException(string queue, Exception innerException)
    : Exception($"sending to {queue} failed: {innerException.Message}", innerException)
{
    public string Queue { get; } = queue;
}
