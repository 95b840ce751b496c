using System.Globalization;
using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;
using Notifier.Notifications.Batching;
using Notifier.Notifications.Recipients;

namespace Notifier.Storage;

/// <summary>
/// Digests in Azure Table storage. One partition per digest (key: hash of recipient and thread) holds a
/// <c>head</c> row (thread, first and last add, state) and one row per event. An item and its head change
/// together in one entity-group transaction, so a digest is never half written and adding to a waiting digest
/// is one request. A second table indexes the digests by due time (partition: the due minute), so a flush reads
/// only the minutes that are due, never the whole table. The index row is written when a digest starts, at the
/// earliest time it can be due; a flush that finds a digest not yet due (later adds pushed it back) moves its row
/// to the real due minute. Heads are claimed and removed only with ETag-conditional writes: every add changes the
/// head's ETag, so an add and a flush never overwrite each other, and of two flushes only one claims a digest.
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

    /// <summary>An entity-group transaction holds at most 100 actions; one is the head.</summary>
    private const int RowsWithHead = 99;

    private const int MaxAttempts = 20;
    private const int ClaimAttempts = 3;

    public async Task<bool> AddAsync(BatchItem item, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(item);
        await storage.EnsureCreatedAsync(cancellationToken);
        var key = item.BatchKey;
        return await TableStorage.RunAsync(async () =>
        {
            for (var attempt = 0; attempt < MaxAttempts; attempt++)
            {
                // Most adds find their digest waiting: the item and the head's last-add time in one request. The
                // merge changes the head's ETag even while a flush sends the digest, so that flush keeps it open.
                var touch = new TableEntity(key, HeadRow) { ["LastAt"] = now };
                switch (await TrySubmitAsync([Insert(ToEntity(key, item)), new(TableTransactionActionType.UpdateMerge, touch, ETag.All)], cancellationToken))
                {
                    case null:
                        return true;
                    case (0, 409):
                        await EnsureHeadAsync(key, item.Thread, now, cancellationToken);
                        return false;
                    case (1, 404):
                        break;
                    case var (index, status):
                        throw new RequestFailedException(status, $"adding to a digest failed at action {index}");
                }

                // A new digest: its index row first, so that a digest never exists without one.
                await IndexAsync(key, Due(now, now), cancellationToken);
                switch (await TrySubmitAsync([Insert(ToEntity(key, item)), Insert(NewHead(key, item.Thread, now))], cancellationToken))
                {
                    case null:
                        return true;
                    case (0, 409):
                        await EnsureHeadAsync(key, item.Thread, now, cancellationToken);
                        return false;
                    case (1, 409):
                        // Another instance started the digest a moment ago: add to it.
                        continue;
                    case var (index, status):
                        throw new RequestFailedException(status, $"starting a digest failed at action {index}");
                }
            }

            throw new BatchStoreUnavailableException($"the digest could not be updated after {MaxAttempts} attempts: too many concurrent changes");
        }, cancellationToken);
    }

    /// <summary>
    /// For an item that was there already (a redelivery): its head exists unless it was stored before items and
    /// heads were written together, in which case it is started now so the item is not stranded.
    /// </summary>
    private async Task EnsureHeadAsync(string key, string thread, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var head = await storage.Batches.GetEntityIfExistsAsync<TableEntity>(key, HeadRow, select: ["State"], cancellationToken: cancellationToken);
        if (head.HasValue)
        {
            return;
        }

        await IndexAsync(key, Due(now, now), cancellationToken);
        try
        {
            await storage.Batches.AddEntityAsync(NewHead(key, thread, now), cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            // Started by another add meanwhile.
        }
    }

    private static TableEntity NewHead(string key, string thread, DateTimeOffset now) => new(key, HeadRow)
    {
        ["Thread"] = thread,
        ["FirstAt"] = now,
        ["LastAt"] = now,
        ["State"] = Open,
    };

    private static TableTransactionAction Insert(TableEntity entity) => new(TableTransactionActionType.Add, entity);

    /// <summary>Submits one entity-group transaction; null when it committed, else the failed action and its status (nothing was written).</summary>
    private async Task<(int Index, int Status)?> TrySubmitAsync(IEnumerable<TableTransactionAction> actions, CancellationToken cancellationToken)
    {
        try
        {
            await storage.Batches.SubmitTransactionAsync(actions, cancellationToken);
            return null;
        }
        catch (TableTransactionFailedException ex) when (ex.Status is 404 or 409 or 412)
        {
            return (ex.FailedTransactionActionIndex ?? -1, ex.Status);
        }
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
                yield return IndexEntry.Format(entry.PartitionKey, entry.RowKey, entry.ETag);
            }
        }
    }

    public async Task<ClaimedBatch?> ClaimAsync(string batchKey, DateTimeOffset now, bool all, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batchKey);
        var entry = IndexEntry.Parse(batchKey);
        return await TableStorage.RunAsync(async () =>
        {
            for (var attempt = 0; attempt < ClaimAttempts; attempt++)
            {
                // The head and every item in one query; the claim below succeeds only if nothing changed since.
                TableEntity? head = null;
                var items = new List<TableEntity>();
                await foreach (var entity in storage.Batches.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {entry.Key}"), cancellationToken: cancellationToken))
                {
                    if (entity.RowKey == HeadRow)
                    {
                        head = entity;
                    }
                    else if (entity.RowKey.StartsWith(ItemPrefix, StringComparison.Ordinal))
                    {
                        items.Add(entity);
                    }
                }

                if (head is null)
                {
                    await DeleteIndexAsync(entry, cancellationToken);
                    return null;
                }

                var state = head.GetString("State");
                var dueAt = Due(head.GetDateTimeOffset("FirstAt") ?? now, head.GetDateTimeOffset("LastAt") ?? now);
                if (state == Open && !all && dueAt > now)
                {
                    // Adds since the row was written pushed the digest back: its row moves to the real due minute.
                    if (Bucket(dueAt) != entry.Bucket)
                    {
                        await IndexAsync(entry.Key, dueAt, cancellationToken);
                        await DeleteIndexAsync(entry, cancellationToken);
                    }

                    return null;
                }

                if (state != Open && (head.GetDateTimeOffset("ClaimedAt") ?? now) + ClaimLease > now)
                {
                    // Being sent by another flush, which removes the row when it is done.
                    return null;
                }

                var claim = new TableEntity(entry.Key, HeadRow) { ["State"] = Sending, ["ClaimedAt"] = now };
                Response claimed;
                try
                {
                    claimed = await storage.Batches.UpdateEntityAsync(claim, head.ETag, TableUpdateMode.Merge, cancellationToken);
                }
                catch (RequestFailedException ex) when (ex.Status is 412 or 404)
                {
                    // An add (read it all again) or another flush (then the digest is theirs) came first.
                    continue;
                }

                var rows = items.Select(i => i.RowKey).ToList();
                var batch = new ClaimedBatch(entry.Key, ClaimTag.Format(entry, claimed.Headers.ETag ?? default, rows), [.. items.Select(i => FromEntity(i, head)).OrderBy(i => i.EventTime)]);
                if (items.Count == 0)
                {
                    // Left behind by a flush that re-opened it for an item it had sent after all.
                    await CompleteCoreAsync(batch, now, cancellationToken);
                    return null;
                }

                return batch;
            }

            return null;
        }, cancellationToken);
    }

    public Task CompleteAsync(ClaimedBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return TableStorage.RunAsync(() => CompleteCoreAsync(batch, timeProvider.GetUtcNow(), cancellationToken), cancellationToken);
    }

    private async Task CompleteCoreAsync(ClaimedBatch batch, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var (entry, etag, rows) = ClaimTag.Parse(batch.ClaimTag);
        var key = batch.BatchKey;

        // Usually the items and the head go in one transaction, which fails whole if an add changed the head.
        var done = rows.Count <= RowsWithHead
            && await TrySubmitAsync([.. rows.Select(row => DeleteAction(key, row, ETag.All)), DeleteAction(key, HeadRow, etag)], cancellationToken) is null;
        if (!done)
        {
            await DeleteItemsAsync(key, rows, cancellationToken);
            await DeleteHeadOrReopenAsync(key, etag, now, cancellationToken);
        }

        await DeleteIndexAsync(entry, cancellationToken);
    }

    private async Task DeleteItemsAsync(string key, IReadOnlyList<string> rows, CancellationToken cancellationToken)
    {
        foreach (var chunk in rows.Chunk(100))
        {
            if (await TrySubmitAsync(chunk.Select(row => DeleteAction(key, row, ETag.All)), cancellationToken) is not null)
            {
                // Some rows were gone already (a flush that took over a stale claim); delete the rest one by one.
                foreach (var row in chunk)
                {
                    await DeleteIfExistsAsync(storage.Batches, key, row, ETag.All, cancellationToken);
                }
            }
        }
    }

    private async Task DeleteHeadOrReopenAsync(string key, ETag etag, DateTimeOffset now, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            try
            {
                await storage.Batches.DeleteEntityAsync(key, HeadRow, etag, cancellationToken);
                return;
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                return;
            }
            catch (RequestFailedException ex) when (ex.Status == 412)
            {
                // An item arrived while sending: the digest stays, open again, and is due after a quiet period. Its
                // index row is written before the head opens, so an open head always has one.
                var head = (await storage.Batches.GetEntityAsync<TableEntity>(key, HeadRow, cancellationToken: cancellationToken)).Value;
                await IndexAsync(key, Due(now, now), cancellationToken);
                head["State"] = Open;
                head["FirstAt"] = now;
                head["LastAt"] = now;
                try
                {
                    await storage.Batches.UpdateEntityAsync(head, head.ETag, TableUpdateMode.Merge, cancellationToken);
                    return;
                }
                catch (RequestFailedException again) when (again.Status == 412)
                {
                    etag = head.ETag;
                }
            }
        }
    }

    private static TableTransactionAction DeleteAction(string key, string row, ETag etag) =>
        new(TableTransactionActionType.Delete, new TableEntity(key, row), etag);

    private static TableEntity ToEntity(string key, BatchItem item)
    {
        var entity = new TableEntity(key, ItemPrefix + BatchKeys.Hash(item.EventId))
        {
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

    private static BatchItem FromEntity(TableEntity entity, TableEntity head)
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
            // The thread is the digest's, kept once on its head (items written before that carry their own).
            entity.GetString("Thread") ?? head.GetString("Thread") ?? string.Empty,
            entity.GetString("RecipientAddress") ?? string.Empty,
            entity.GetString("RecipientName"),
            Enum.TryParse<RecipientReason>(entity.GetString("Reason"), out var reason) ? reason : RecipientReason.Watcher,
            entity.GetString("EventId") ?? string.Empty,
            entity.GetString("EventType") ?? string.Empty,
            entity.GetDateTimeOffset("EventTime") ?? DateTimeOffset.MinValue,
            body,
            entity.GetString("EventKey"));
    }

    /// <summary>Quiet period after the latest add, but never later than the maximum delay after the first.</summary>
    private DateTimeOffset Due(DateTimeOffset first, DateTimeOffset last)
    {
        var quiet = last + options.QuietPeriod;
        var latest = first + options.MaxDelay;
        return quiet < latest ? quiet : latest;
    }

    private async Task IndexAsync(string key, DateTimeOffset due, CancellationToken cancellationToken) =>
        await storage.Due.UpsertEntityAsync(new TableEntity(Bucket(due), key), TableUpdateMode.Replace, cancellationToken);

    /// <summary>
    /// Deletes the index row the flush read, only if it is unchanged: a digest started again under the same key in
    /// the same minute rewrote it, and then it is that digest's row.
    /// </summary>
    private Task DeleteIndexAsync(IndexEntry entry, CancellationToken cancellationToken) =>
        DeleteIfExistsAsync(storage.Due, entry.Bucket, entry.Key, entry.ETag, cancellationToken);

    private static async Task DeleteIfExistsAsync(TableClient table, string partition, string row, ETag etag, CancellationToken cancellationToken)
    {
        try
        {
            await table.DeleteEntityAsync(partition, row, etag, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
            // Gone already, or rewritten for a newer digest.
        }
    }

    /// <summary>The index partition of a due time: its UTC minute, which sorts as text in time order.</summary>
    internal static string Bucket(DateTimeOffset time) => time.UtcDateTime.ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture);

    /// <summary>A row of the due-time index as a flush found it; its ETag lets the flush delete exactly that version.</summary>
    private readonly record struct IndexEntry(string Bucket, string Key, ETag ETag)
    {
        // '|' occurs in no bucket, key (hex) or ETag.
        public static string Format(string bucket, string key, ETag etag) => $"{bucket}|{key}|{etag}";

        public static IndexEntry Parse(string token)
        {
            var parts = token.Split('|', 3);
            return parts.Length == 3 ? new(parts[0], parts[1], new ETag(parts[2])) : new(string.Empty, token, ETag.All);
        }
    }

    /// <summary>What a claim must remember to complete: the index row it came from, the head's version after the claim, the item rows read.</summary>
    private static class ClaimTag
    {
        public static string Format(IndexEntry entry, ETag head, IEnumerable<string> rows) =>
            string.Join('\n', IndexEntry.Format(entry.Bucket, entry.Key, entry.ETag), head.ToString(), string.Join(',', rows));

        public static (IndexEntry Entry, ETag Head, IReadOnlyList<string> Rows) Parse(string tag)
        {
            var parts = tag.Split('\n');
            return (IndexEntry.Parse(parts[0]), new ETag(parts[1]), parts[2].Length == 0 ? [] : parts[2].Split(','));
        }
    }
}
