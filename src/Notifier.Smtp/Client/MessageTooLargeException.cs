namespace Notifier.Smtp.Client;

/// <summary>Thrown inside MailKit's send, before MAIL FROM, when the message exceeds the server's SIZE.</summary>
internal sealed class MessageTooLargeException(long size, long limit) : Exception($"the message is {size} bytes, over the SIZE limit of {limit}")
{
    public long Size { get; } = size;

    public long Limit { get; } = limit;
}
