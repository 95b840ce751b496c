using Notifier.Notifications.Delivery;

namespace Notifier.Functions;

/// <summary>
/// Remembers the outcome of the last few thousand Service Bus message ids, so a message the host delivers
/// again (its lock expired, or the host restarted while this process lived) does not mail people twice.
/// Bounded: the oldest ids are forgotten first. A message still being handled is joined, not started again.
/// </summary>
internal sealed class RecentMessages
{
    public const int DefaultCapacity = 10_000;

    private readonly int _capacity;
    private readonly Dictionary<string, Task<DeliveryResult>> _byId = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();
    private readonly Lock _gate = new();

    public RecentMessages(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
    }

    /// <summary>How many message ids are remembered before the oldest is forgotten.</summary>
    public int Capacity => _capacity;

    /// <summary>
    /// Runs <paramref name="handle"/> for a new id; for an id seen before, returns its earlier outcome with
    /// <c>Duplicate = true</c>. Without an id every message is handled.
    /// </summary>
    public async Task<(DeliveryResult Result, bool Duplicate)> HandleOnceAsync(string? messageId, Func<Task<DeliveryResult>> handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        if (string.IsNullOrEmpty(messageId))
        {
            return (await handle(), false);
        }

        // Made up front so every path below holds one; it is only published when the id is new.
        var mine = new TaskCompletionSource<DeliveryResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<DeliveryResult>? earlier;
        lock (_gate)
        {
            if (!_byId.TryGetValue(messageId, out earlier))
            {
                _byId[messageId] = mine.Task;
                _order.Enqueue(messageId);
                while (_order.Count > _capacity)
                {
                    _byId.Remove(_order.Dequeue());
                }
            }
        }

        if (earlier is not null)
        {
            // Joins a copy still in flight; a failed first attempt fails this one too, so the host retries.
            return (await earlier, true);
        }

        try
        {
            var result = await handle();
            mine.SetResult(result);
            return (result, false);
        }
        catch (Exception ex)
        {
            // Not handled (e.g. cancelled at shutdown): forget the id so a redelivery is handled in full.
            lock (_gate)
            {
                _byId.Remove(messageId);
            }

            mine.SetException(ex);
            throw;
        }
    }
}
