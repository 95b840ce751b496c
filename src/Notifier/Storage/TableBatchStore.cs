using System.Globalization;
using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;
using Notifier.Notifications.Batching;
using Notifier.Notifications.Recipients;

namespace Notifier.Storage;

/// <summary>
/// Digests in Azure Table storage. One partition per digest (key: hash of recipient and thread) holds a
/// <c>head</c> row (first and last item, due time, state) and one row per event. A second table indexes the
/// digests by due time (partition: the due minute), so a flush reads only the minutes that are due, never the
/// whole table. Heads change only with ETag-conditional writes: an add and a flush never overwrite each
/// other, and of two flushes only one claims a digest.
/// </summary>
internal sealed class TableBatchStore(TableStorage storage, BatchingOptions options, TimeProvider timeProvider) : IBatchStore
{
    /// <summary>A claim older than this belongs to a flush that died; another flush may take the digest over.</summary>
    public static readonly TimeSpan ClaimLease = TimeSpan.FromMinutes(10);

    private const string HeadRow = "head";
    private const string ItemPrefix = "item-";
    private const string Open = "open";
    private const string Sending = "sending";

    /// <summary>Table properties hold at most 64 KiB of binary each; a body is split over several.</summary>
    private const int ChunkBytes = 64 * 1024;
    private const int MaxAttempts = 20;

    public async Task<bool> AddAsync(BatchItem item, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        await storage.EnsureCreatedAsync(cancellationToken);
        var key = item.BatchKey;
        var added = await TableStorage.RunAsync(async () =>
        {
            try
            {
                await storage.Batches.AddEntityAsync(ToEntity(key, item), cancellationToken);
                return true;
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
                return false;
            }
        }, cancellationToken);

        // Even for an item that was there already: its first add may have stopped before the head was written.
        await TableStorage.RunAsync(() => TouchHeadAsync(key, item.Thread, now, cancellationToken), cancellationToken);
        return added;
    }

    private async Task TouchHeadAsync(string key, string thread, DateTimeOffset now, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var existing = await storage.Batches.GetEntityIfExistsAsync<TableEntity>(key, HeadRow, cancellationToken: cancellationToken);
            try
            {
                if (!existing.HasValue || existing.Value is null)
                {
                    var due = Due(now, now);
                    var head = new TableEntity(key, HeadRow)
                    {
                        ["Thread"] = thread,
                        ["FirstAt"] = now,
                        ["LastAt"] = now,
                        ["DueAt"] = due,
                        ["DueBucket"] = Bucket(due),
                        ["State"] = Open,
                    };
                    await storage.Batches.AddEntityAsync(head, cancellationToken);
                    await IndexAsync(key, due, cancellationToken);
                    return;
                }

                var current = existing.Value;
                if (current.GetString("State") == Sending)
                {
                    // A flush is sending this digest; it may have read the items before this one arrived. The mark
                    // makes its final conditional delete fail, so it re-opens the digest instead of losing the item.
                    current["Pending"] = true;
                    await storage.Batches.UpdateEntityAsync(current, current.ETag, TableUpdateMode.Merge, cancellationToken);
                    return;
                }

                var first = current.GetDateTimeOffset("FirstAt") ?? now;
                var dueAt = Due(first, now);
                var bucket = Bucket(dueAt);
                var previousBucket = current.GetString("DueBucket");
                current["LastAt"] = now;
                current["DueAt"] = dueAt;
                current["DueBucket"] = bucket;
                await storage.Batches.UpdateEntityAsync(current, current.ETag, TableUpdateMode.Merge, cancellationToken);
                if (bucket != previousBucket)
                {
                    // The old index row stays; a flush that finds it sees the later due time and removes it.
                    await IndexAsync(key, dueAt, cancellationToken);
                }

                return;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412 or 404)
            {
                // Someone else changed the head between our read and write: read it again.
            }
        }

        throw new BatchStoreUnavailableException($"the digest could not be updated after {MaxAttempts} attempts: too many concurrent changes");
    }

    public async IAsyncEnumerable<string> FindDueAsync(DateTimeOffset now, bool all, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await storage.EnsureCreatedAsync(cancellationToken);
        var filter = all ? null : TableClient.CreateQueryFilter($"PartitionKey le {Bucket(now)}");
        var pages = storage.Due.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken).AsPages();
        await using var enumerator = pages.GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            var page = await TableStorage.RunAsync(async () => await enumerator.MoveNextAsync() ? enumerator.Current : null, cancellationToken);
            if (page is null)
            {
                yield break;
            }

            foreach (var entry in page.Values)
            {
                yield return $"{entry.PartitionKey}/{entry.RowKey}";
            }
        }
    }

    public async Task<ClaimedBatch?> ClaimAsync(string batchKey, DateTimeOffset now, bool all, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batchKey);
        var (indexBucket, key) = Split(batchKey);
        return await TableStorage.RunAsync(async () =>
        {
            var existing = await storage.Batches.GetEntityIfExistsAsync<TableEntity>(key, HeadRow, cancellationToken: cancellationToken);
            if (!existing.HasValue || existing.Value is null)
            {
                await DeleteIndexAsync(indexBucket, key, cancellationToken);
                return null;
            }

            var head = existing.Value;
            var state = head.GetString("State");
            var dueAt = head.GetDateTimeOffset("DueAt") ?? now;
            var claimable = state == Open
                ? all || dueAt <= now
                : (head.GetDateTimeOffset("ClaimedAt") ?? now) + ClaimLease <= now;
            if (!claimable)
            {
                if (state == Open && head.GetString("DueBucket") != indexBucket)
                {
                    await DeleteIndexAsync(indexBucket, key, cancellationToken);
                }

                return null;
            }

            head["State"] = Sending;
            head["ClaimedAt"] = now;
            head["Pending"] = false;
            Response claimed;
            try
            {
                claimed = await storage.Batches.UpdateEntityAsync(head, head.ETag, TableUpdateMode.Merge, cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status is 412 or 404)
            {
                // Another flush claimed it, or an add moved it, first.
                return null;
            }

            var items = new List<BatchItem>();
            var rows = new List<string>();
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {key} and RowKey ge {ItemPrefix} and RowKey lt {"item."}");
            await foreach (var entity in storage.Batches.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
            {
                items.Add(FromEntity(entity));
                rows.Add(entity.RowKey);
            }

            var tag = string.Join('|', indexBucket, head.GetString("DueBucket") ?? indexBucket, claimed.Headers.ETag?.ToString() ?? string.Empty, string.Join(',', rows));
            var batch = new ClaimedBatch(key, tag, [.. items.OrderBy(i => i.EventTime)]);
            if (items.Count == 0)
            {
                // Left behind by a flush that re-opened it for an item it had sent after all.
                await CompleteCoreAsync(batch, now, cancellationToken);
                return null;
            }

            return batch;
        }, cancellationToken);
    }

    public Task CompleteAsync(ClaimedBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return TableStorage.RunAsync(() => CompleteCoreAsync(batch, timeProvider.GetUtcNow(), cancellationToken), cancellationToken);
    }

    private async Task CompleteCoreAsync(ClaimedBatch batch, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var parts = batch.ClaimTag.Split('|');
        var (indexBucket, dueBucket, etag) = (parts[0], parts[1], new ETag(parts[2]));
        var rows = parts[3].Length == 0 ? [] : parts[3].Split(',');
        foreach (var chunk in rows.Chunk(100))
        {
            var actions = chunk.Select(row => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(batch.BatchKey, row), ETag.All));
            try
            {
                await storage.Batches.SubmitTransactionAsync(actions, cancellationToken);
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 404)
            {
                // Some rows were gone already (a flush that took over a stale claim); delete the rest one by one.
                foreach (var row in chunk)
                {
                    await DeleteIfExistsAsync(storage.Batches, batch.BatchKey, row, cancellationToken);
                }
            }
        }

        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            try
            {
                await storage.Batches.DeleteEntityAsync(batch.BatchKey, HeadRow, etag, cancellationToken);
                break;
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                break;
            }
            catch (RequestFailedException ex) when (ex.Status == 412)
            {
                // An item arrived while sending: the digest stays, open again, and is due after a quiet period.
                var head = (await storage.Batches.GetEntityAsync<TableEntity>(batch.BatchKey, HeadRow, cancellationToken: cancellationToken)).Value;
                var due = now + options.QuietPeriod;
                head["State"] = Open;
                head["Pending"] = false;
                head["FirstAt"] = now;
                head["LastAt"] = now;
                head["DueAt"] = due;
                head["DueBucket"] = Bucket(due);
                try
                {
                    await storage.Batches.UpdateEntityAsync(head, head.ETag, TableUpdateMode.Replace, cancellationToken);
                    await IndexAsync(batch.BatchKey, due, cancellationToken);
                    break;
                }
                catch (RequestFailedException again) when (again.Status == 412)
                {
                    etag = head.ETag;
                }
            }
        }

        await DeleteIndexAsync(indexBucket, batch.BatchKey, cancellationToken);
        if (dueBucket != indexBucket)
        {
            await DeleteIndexAsync(dueBucket, batch.BatchKey, cancellationToken);
        }
    }

    private static TableEntity ToEntity(string key, BatchItem item)
    {
        var entity = new TableEntity(key, ItemPrefix + BatchKeys.Hash(item.EventId))
        {
            ["Thread"] = item.Thread,
            ["RecipientAddress"] = item.RecipientAddress,
            ["Reason"] = item.Reason.ToString(),
            ["EventId"] = item.EventId,
            ["EventType"] = item.EventType,
            ["EventTime"] = item.EventTime,
        };
        if (item.RecipientName is not null)
        {
            entity["RecipientName"] = item.RecipientName;
        }

        if (item.EventKey is not null)
        {
            entity["EventKey"] = item.EventKey;
        }

        var body = item.Body;
        var chunks = 0;
        for (var offset = 0; offset < body.Length; offset += ChunkBytes, chunks++)
        {
            entity[$"Body{chunks.ToString(CultureInfo.InvariantCulture)}"] = body.Slice(offset, Math.Min(ChunkBytes, body.Length - offset)).ToArray();
        }

        entity["BodyChunks"] = chunks;
        return entity;
    }

    private static BatchItem FromEntity(TableEntity entity)
    {
        var chunks = entity.GetInt32("BodyChunks") ?? 0;
        var parts = Enumerable.Range(0, chunks).Select(i => entity.GetBinary($"Body{i.ToString(CultureInfo.InvariantCulture)}") ?? []).ToList();
        var body = new byte[parts.Sum(p => p.Length)];
        var at = 0;
        foreach (var part in parts)
        {
            part.CopyTo(body, at);
            at += part.Length;
        }

        return new BatchItem(
            entity.GetString("Thread") ?? string.Empty,
            entity.GetString("RecipientAddress") ?? string.Empty,
            entity.GetString("RecipientName"),
            Enum.TryParse<RecipientReason>(entity.GetString("Reason"), out var reason) ? reason : RecipientReason.Watcher,
            entity.GetString("EventId") ?? string.Empty,
            entity.GetString("EventType") ?? string.Empty,
            entity.GetDateTimeOffset("EventTime") ?? DateTimeOffset.MinValue,
            body,
            entity.GetString("EventKey"));
    }

    /// <summary>Quiet period after the latest item, but never later than the maximum delay after the first.</summary>
    private DateTimeOffset Due(DateTimeOffset first, DateTimeOffset now)
    {
        var quiet = now + options.QuietPeriod;
        var latest = first + options.MaxDelay;
        return quiet < latest ? quiet : latest;
    }

    private async Task IndexAsync(string key, DateTimeOffset due, CancellationToken cancellationToken) =>
        await storage.Due.UpsertEntityAsync(new TableEntity(Bucket(due), key) { ["DueAt"] = due }, TableUpdateMode.Replace, cancellationToken);

    private Task DeleteIndexAsync(string bucket, string key, CancellationToken cancellationToken) =>
        DeleteIfExistsAsync(storage.Due, bucket, key, cancellationToken);

    private static async Task DeleteIfExistsAsync(TableClient table, string partition, string row, CancellationToken cancellationToken)
    {
        try
        {
            await table.DeleteEntityAsync(partition, row, ETag.All, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Gone already.
        }
    }

    /// <summary>The index partition of a due time: its UTC minute, which sorts as text in time order.</summary>
    internal static string Bucket(DateTimeOffset time) => time.UtcDateTime.ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture);

    private static (string Bucket, string Key) Split(string token)
    {
        var slash = token.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? (string.Empty, token) : (token[..slash], token[(slash + 1)..]);
    }
}
