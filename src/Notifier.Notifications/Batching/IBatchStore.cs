namespace Notifier.Notifications.Batching;

/// <summary>
/// Where digests wait (Azure Table storage in the app). Every method throws
/// <see cref="BatchStoreUnavailableException"/> when the store cannot be reached or refuses access; callers then
/// send at once rather than lose anything.
/// </summary>
public interface IBatchStore
{
    /// <summary>
    /// Adds one event's items, each to its recipient's digest, and moves each digest's due time: quiet period after
    /// this add, but never later than the maximum delay after the digest's first item. Returns, item by item, false
    /// when that digest held the event already (a redelivered message). When it throws, the caller sends to every
    /// recipient at once; with more recipients than one store write takes, some may then also find the event in
    /// their digest later: mail twice rather than lost.
    /// </summary>
    Task<IReadOnlyList<bool>> AddAsync(IReadOnlyList<BatchItem> items, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The keys of digests due at <paramref name="now"/> (all waiting digests with <paramref name="all"/>), from the due-time index.</summary>
    IAsyncEnumerable<string> FindDueAsync(DateTimeOffset now, bool all, CancellationToken cancellationToken);

    /// <summary>
    /// Claims a digest for sending with a conditional write, so two flushing instances send it once; null when it
    /// is not due, is gone, or another instance claimed it first.
    /// </summary>
    Task<ClaimedBatch?> ClaimAsync(string batchKey, DateTimeOffset now, bool all, CancellationToken cancellationToken);

    /// <summary>Removes a claimed digest and the items that were in it (sent or dropped: never retried).</summary>
    Task CompleteAsync(ClaimedBatch batch, CancellationToken cancellationToken);
}
