using Azure.Messaging.ServiceBus;

namespace Notifier.Publishing;

/// <summary>
/// Sends checked events to their queues: one sender per queue, as few batches as Service Bus allows, in input
/// order within each queue. Each message carries the body byte for byte, <c>MessageId</c> = the event id (the
/// queues detect duplicates by it) and <c>ContentType</c> <c>application/json</c>.
/// </summary>
internal sealed class EventPublisher(ServiceBusClient client)
{
    public const string ContentType = "application/json";

    /// <summary>
    /// Sends every event; <paramref name="sent"/> hears of each once Service Bus has accepted its batch. A
    /// failure is a <see cref="QueuePublishException"/> naming the queue; cancellation stays an
    /// <see cref="OperationCanceledException"/>.
    /// </summary>
    public async Task PublishAsync(IReadOnlyList<OutgoingEvent> events, Func<OutgoingEvent, Task> sent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(sent);
        foreach (var queue in events.GroupBy(e => e.Queue, StringComparer.Ordinal))
        {
            try
            {
                await PublishToQueueAsync(queue.Key, [.. queue], sent, cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException and not QueuePublishException)
            {
                throw new QueuePublishException(queue.Key, exception);
            }
        }
    }

    /// <summary>The message for one event: the body as read, the event id, JSON.</summary>
    public static ServiceBusMessage ToMessage(OutgoingEvent outgoing)
    {
        ArgumentNullException.ThrowIfNull(outgoing);
        return new ServiceBusMessage(BinaryData.FromBytes(outgoing.Body))
        {
            MessageId = outgoing.EventId,
            ContentType = ContentType,
        };
    }

    private async Task PublishToQueueAsync(string queue, IReadOnlyList<OutgoingEvent> events, Func<OutgoingEvent, Task> sent, CancellationToken cancellationToken)
    {
        var sender = client.CreateSender(queue);
        await using (sender.ConfigureAwait(false))
        {
            var pending = new List<OutgoingEvent>();
            var batch = await sender.CreateMessageBatchAsync(cancellationToken);
            try
            {
                foreach (var outgoing in events)
                {
                    var message = ToMessage(outgoing);
                    if (!batch.TryAddMessage(message))
                    {
                        if (batch.Count == 0)
                        {
                            throw TooLarge(outgoing, batch.MaxSizeInBytes);
                        }

                        await SendAsync(sender, batch, pending, sent, cancellationToken);
                        batch.Dispose();
                        batch = await sender.CreateMessageBatchAsync(cancellationToken);
                        if (!batch.TryAddMessage(message))
                        {
                            throw TooLarge(outgoing, batch.MaxSizeInBytes);
                        }
                    }

                    pending.Add(outgoing);
                }

                if (batch.Count > 0)
                {
                    await SendAsync(sender, batch, pending, sent, cancellationToken);
                }
            }
            finally
            {
                batch.Dispose();
            }
        }
    }

    private static InvalidOperationException TooLarge(OutgoingEvent outgoing, long maxBytes) =>
        new($"{outgoing.Origin} ({outgoing.Body.Length} bytes) does not fit in one message of at most {maxBytes} bytes");

    private static async Task SendAsync(ServiceBusSender sender, ServiceBusMessageBatch batch, List<OutgoingEvent> pending, Func<OutgoingEvent, Task> sent, CancellationToken cancellationToken)
    {
        await sender.SendMessagesAsync(batch, cancellationToken);
        foreach (var outgoing in pending)
        {
            await sent(outgoing);
        }

        pending.Clear();
    }
}
