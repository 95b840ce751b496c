namespace Notifier.Notifications.Batching;

/// <summary>The batch store could not be reached or refused access; the message says why, without secrets.</summary>
public sealed class BatchStoreUnavailableException : Exception
{
    public BatchStoreUnavailableException()
    {
    }

    public BatchStoreUnavailableException(string message)
        : base(message)
    {
    }

    public BatchStoreUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
