using Notifier.Notifications.Batching;

namespace Notifier.Storage;

/// <summary>Where digests wait and the flusher that sends them; both absent when no storage is configured.</summary>
internal sealed class Digests(IBatchStore? store, Func<IBatchStore, BatchFlusher> createFlusher)
{
    private BatchFlusher? _flusher;

    public IBatchStore? Store { get; } = store;

    /// <summary>Null without a store.</summary>
    public BatchFlusher? Flusher => Store is null ? null : _flusher ??= createFlusher(Store);
}
