using Azure.Messaging.ServiceBus;
using NSubstitute;

namespace Notifier.Tests.Publishing;

/// <summary>
/// A Service Bus namespace as far as a sender sees it: a substitute <see cref="ServiceBusClient"/> whose senders
/// hand out batches from <see cref="ServiceBusModelFactory"/> and record what each queue was sent. There is no
/// Service Bus emulator here; this is the SDK's own seam for tests.
/// </summary>
internal sealed class FakeServiceBus
{
    private readonly Dictionary<ServiceBusMessageBatch, List<ServiceBusMessage>> _batches = [];
    private readonly int _messagesPerBatch;

    /// <param name="messagesPerBatch">How many messages a batch takes before it is full.</param>
    /// <param name="send">Runs before each send, with the number of sends so far; throw from it to fail one.</param>
    public FakeServiceBus(int messagesPerBatch = int.MaxValue, Action<int>? send = null)
    {
        _messagesPerBatch = messagesPerBatch;
        Client = Substitute.For<ServiceBusClient>();
        Client.CreateSender(Arg.Any<string>()).Returns(call => Sender(call.Arg<string>(), send));
    }

    public ServiceBusClient Client { get; }

    /// <summary>The host name the command connected to; null when it never connected.</summary>
    public string? ConnectedTo { get; private set; }

    /// <summary>Messages each queue accepted, in the order sent.</summary>
    public Dictionary<string, List<ServiceBusMessage>> Queues { get; } = [];

    /// <summary>How many batches were sent.</summary>
    public int Sends { get; private set; }

    public ServiceBusClient Connect(string host)
    {
        ConnectedTo = host;
        return Client;
    }

    private ServiceBusSender Sender(string queue, Action<int>? send)
    {
        var sender = Substitute.For<ServiceBusSender>();
#pragma warning disable CA2012 // NSubstitute's way to configure a call: this ValueTask is recorded, never awaited.
        sender.CreateMessageBatchAsync(Arg.Any<CancellationToken>()).Returns(_ =>
        {
            var store = new List<ServiceBusMessage>();
            var batch = ServiceBusModelFactory.ServiceBusMessageBatch(256 * 1024, store, tryAddCallback: _ => store.Count < _messagesPerBatch);
            _batches[batch] = store;
            return ValueTask.FromResult(batch);
        });
#pragma warning restore CA2012
        sender.SendMessagesAsync(Arg.Any<ServiceBusMessageBatch>(), Arg.Any<CancellationToken>()).Returns(call =>
        {
            send?.Invoke(Sends);
            Sends++;
            var sent = Queues.TryGetValue(queue, out var list) ? list : Queues[queue] = [];
            sent.AddRange(_batches[call.Arg<ServiceBusMessageBatch>()]);
            return Task.CompletedTask;
        });
        return sender;
    }
}
