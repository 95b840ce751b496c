namespace Notifier.Notifications.Batching;

/// <summary>
/// Where digests wait (Azure Table storage in the app). Every method throws
/// <see cref="BatchStoreUnavailableException"/> when the store cannot be reached or refuses access; callers then
/// send at once rather than lose anything.
/// </summary>
public interface IBatchStore
{
    /// <summary>
    /// Adds an item to its digest and moves the digest's due time: quiet period after this item, but never
    /// later than the maximum delay after the digest's first item. False when the event was in that digest
    /// already (a redelivered message).
    /// </summary>
    Task<bool> AddAsync(BatchItem item, DateTimeOffset now, CancellationToken cancellationToken);

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
