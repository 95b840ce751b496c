using System.Globalization;
using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;
using Notifier.Notifications.Batching;
using Notifier.Notifications.Recipients;

namespace Notifier.Storage;

/// <summary>
/// Digests in Azure Table storage. One partition per thread (hash of, say, <c>pr:PAY/ledger-service/482</c>)
/// holds the digests of everyone who gets mail about it: per recipient (hash of the address) a head row
/// (<c>&lt;recipient&gt;-head</c>: thread, first and last add, state) and one row per event
/// (<c>&lt;recipient&gt;-item-&lt;event&gt;</c>). So one event's items and the touches of their heads, for every
/// recipient at once, are one entity-group transaction: a digest is never half written, and an event for people
/// whose digests are waiting is one request. A second table indexes the digests by due time (partition: the due
/// minute), so a flush reads only the minutes that are due, never the whole table. A digest's index row is written
/// when it starts, at the earliest time it can be due; a flush that finds it not yet due (later adds pushed it
/// back) moves the row to the real due minute. Heads are claimed and removed only with ETag-conditional writes;
/// every add changes the head's ETag, so an add and a flush never overwrite each other, and of two flushes only
/// one claims a digest.
/// </summary>
internal sealed class TableBatchStore(TableStorage storage, BatchingOptions options, TimeProvider timeProvider) : IBatchStore
{
    /// <summary>A claim older than this belongs to a flush that died; another flush may take the digest over.</summary>
    public static readonly TimeSpan ClaimLease = TimeSpan.FromMinutes(10);

    private const string Open = "open";
    private const string Sending = "sending";

    /// <summary>Table properties hold at most 64 KiB of binary each; a body is split over several.</summary>
    private const int ChunkBytes = 64 * 1024;

    /// <summary>An entity-group transaction holds at most 100 actions: an item and its head per recipient.</summary>
    private const int RecipientsPerTransaction = 50;

    /// <summary>Stored body bytes per transaction: with base64 and the rest of each entity, well under the 4 MiB a request may carry.</summary>
    private const int BodyBytesPerTransaction = 2 * 1024 * 1024;

    private const int MaxAttempts = 20;
    private const int ClaimAttempts = 3;

    public async Task<IReadOnlyList<bool>> AddAsync(IReadOnlyList<BatchItem> items, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(items);
        var added = new bool[items.Count];
        if (items.Count == 0)
        {
            return added;
        }

        await storage.EnsureCreatedAsync(cancellationToken);
        // One event's items share its body: it is encoded once, however many people wait for it.
        var bodies = new Dictionary<ReadOnlyMemory<byte>, (ReadOnlyMemory<byte> Bytes, string? Encoding)>();
        (ReadOnlyMemory<byte> Bytes, string? Encoding) Encoded(ReadOnlyMemory<byte> body)
        {
            if (!bodies.TryGetValue(body, out var stored))
            {
                stored = StoredBody.Encode(body);
                bodies[body] = stored;
            }

            return stored;
        }

        // The same person twice in one event is one item; the later entries stay false, as already there.
        var distinct = items.Select((item, index) => new Entry(index, DigestKey.Of(item), item, Encoded(item.Body))).DistinctBy(e => e.Key).ToList();
        await TableStorage.RunAsync(
            () => Task.WhenAll(distinct.GroupBy(e => e.Key.Partition, StringComparer.Ordinal)
                .SelectMany(Transactions)
                .Select(chunk => AddToThreadAsync(chunk, added, now, cancellationToken))),
            cancellationToken);
        return added;
    }

    /// <summary>
    /// Splits one thread's entries into transactions the service takes: at most 100 actions and 4 MiB of request,
    /// where a body counts a third more (base64) and every body may be up to the event size limit.
    /// </summary>
    private static IEnumerable<List<Entry>> Transactions(IEnumerable<Entry> entries)
    {
        var chunk = new List<Entry>();
        var bytes = 0;
        foreach (var entry in entries)
        {
            if (chunk.Count > 0 && (chunk.Count == RecipientsPerTransaction || bytes + entry.Body.Bytes.Length > BodyBytesPerTransaction))
            {
                yield return chunk;
                (chunk, bytes) = ([], 0);
            }

            chunk.Add(entry);
            bytes += entry.Body.Bytes.Length;
        }

        if (chunk.Count > 0)
        {
            yield return chunk;
        }
    }

    private async Task AddToThreadAsync(IReadOnlyList<Entry> entries, bool[] added, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var partition = entries[0].Key.Partition;
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            // Usually every digest is waiting already. The merge changes each head's ETag even while a flush sends
            // that digest, so that flush keeps it open for this item.
            if (await TrySubmitAsync(storage.Batches, entries.SelectMany(e => new[] { Insert(ToEntity(e)), Touch(e.Key, now) }), cancellationToken) is null)
            {
                MarkAdded(entries, added);
                return;
            }

            // Some digest is new, or already holds the event (a redelivery): look at what is there, write what is missing.
            var existing = new HashSet<string>(StringComparer.Ordinal);
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partition}");
            await foreach (var row in storage.Batches.QueryAsync<TableEntity>(filter, select: ["RowKey"], cancellationToken: cancellationToken))
            {
                existing.Add(row.RowKey);
            }

            entries = [.. entries.Where(e => !existing.Contains(e.Key.ItemRow(e.Item)))];
            if (entries.Count == 0)
            {
                return;
            }

            var starting = entries.Where(e => !existing.Contains(e.Key.HeadRow)).ToList();
            if (starting.Count > 0)
            {
                // Index rows first, so that a digest never exists without one.
                await IndexAsync(starting.Select(e => e.Key), Due(now, now), cancellationToken);
            }

            var actions = entries.SelectMany(e => new[]
            {
                Insert(ToEntity(e)),
                existing.Contains(e.Key.HeadRow) ? Touch(e.Key, now) : Insert(NewHead(e.Key, e.Item.Thread, now)),
            });
            if (await TrySubmitAsync(storage.Batches, actions, cancellationToken) is null)
            {
                MarkAdded(entries, added);
                return;
            }

            // Another add started a digest, or a flush finished one, in the meantime: look again.
        }

        throw new BatchStoreUnavailableException($"the digests could not be updated after {MaxAttempts} attempts: too many concurrent changes");
    }

    private static void MarkAdded(IEnumerable<Entry> entries, bool[] added)
    {
        foreach (var entry in entries)
        {
            added[entry.Index] = true;
        }
    }

    private static TableEntity NewHead(DigestKey key, string thread, DateTimeOffset now) => new(key.Partition, key.HeadRow)
    {
        ["Thread"] = thread,
        ["FirstAt"] = now,
        ["LastAt"] = now,
        ["State"] = Open,
    };

    private static TableTransactionAction Touch(DigestKey key, DateTimeOffset now) =>
        new(TableTransactionActionType.UpdateMerge, new TableEntity(key.Partition, key.HeadRow) { ["LastAt"] = now }, ETag.All);

    private static TableTransactionAction Insert(TableEntity entity) => new(TableTransactionActionType.Add, entity);

    /// <summary>Submits one entity-group transaction; null when it committed, else the failed action's status (then nothing was written).</summary>
    private static async Task<int?> TrySubmitAsync(TableClient table, IEnumerable<TableTransactionAction> actions, CancellationToken cancellationToken)
    {
        try
        {
            await table.SubmitTransactionAsync(actions, cancellationToken);
            return null;
        }
        catch (TableTransactionFailedException ex) when (ex.Status is 404 or 409 or 412)
        {
            return ex.Status;
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
                yield return new IndexEntry(entry.PartitionKey, entry.RowKey, entry.ETag).ToString();
            }
        }
    }

    public async Task<ClaimedBatch?> ClaimAsync(string batchKey, DateTimeOffset now, bool all, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batchKey);
        var entry = IndexEntry.Parse(batchKey);
        if (DigestKey.Parse(entry.Key) is not { } key)
        {
            // Not a row this store writes.
            await TableStorage.RunAsync(() => DeleteIndexAsync(entry, cancellationToken), cancellationToken);
            return null;
        }

        return await TableStorage.RunAsync(async () =>
        {
            for (var attempt = 0; attempt < ClaimAttempts; attempt++)
            {
                // The head and every item in one query; the claim below succeeds only if nothing changed since.
                TableEntity? head = null;
                var items = new List<TableEntity>();
                await foreach (var entity in storage.Batches.QueryAsync<TableEntity>(key.RowsFilter, cancellationToken: cancellationToken))
                {
                    if (entity.RowKey == key.HeadRow)
                    {
                        head = entity;
                    }
                    else
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
                        await IndexAsync([key], dueAt, cancellationToken);
                        await DeleteIndexAsync(entry, cancellationToken);
                    }

                    return null;
                }

                if (state != Open && (head.GetDateTimeOffset("ClaimedAt") ?? now) + ClaimLease > now)
                {
                    // Being sent by another flush, which removes the row when it is done.
                    return null;
                }

                var claim = new TableEntity(key.Partition, key.HeadRow) { ["State"] = Sending, ["ClaimedAt"] = now };
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

                var thread = head.GetString("Thread") ?? string.Empty;
                var batch = new ClaimedBatch(
                    entry.Key,
                    new ClaimTag(entry, claimed.Headers.ETag ?? default, [.. items.Select(i => i.RowKey)]).ToString(),
                    [.. items.Select(i => FromEntity(i, thread)).OrderBy(i => i.EventTime)]);
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
        var tag = ClaimTag.Parse(batch.ClaimTag);
        var key = DigestKey.Parse(tag.Entry.Key) ?? throw new InvalidOperationException("a claim of a row this store does not write");

        // Usually the items and the head go in one transaction, which fails whole if an add changed the head.
        var done = tag.Rows.Count < 100
            && await TrySubmitAsync(storage.Batches, [.. tag.Rows.Select(row => DeleteAction(key.Partition, row, ETag.All)), DeleteAction(key.Partition, key.HeadRow, tag.Head)], cancellationToken) is null;
        if (!done)
        {
            await DeleteItemsAsync(key.Partition, tag.Rows, cancellationToken);
            await DeleteHeadOrReopenAsync(key, tag.Head, now, cancellationToken);
        }

        await DeleteIndexAsync(tag.Entry, cancellationToken);
    }

    private async Task DeleteItemsAsync(string partition, IReadOnlyList<string> rows, CancellationToken cancellationToken)
    {
        foreach (var chunk in rows.Chunk(100))
        {
            if (await TrySubmitAsync(storage.Batches, chunk.Select(row => DeleteAction(partition, row, ETag.All)), cancellationToken) is not null)
            {
                // Some rows were gone already (a flush that took over a stale claim); delete the rest one by one.
                foreach (var row in chunk)
                {
                    await DeleteIfExistsAsync(storage.Batches, partition, row, ETag.All, cancellationToken);
                }
            }
        }
    }

    private async Task DeleteHeadOrReopenAsync(DigestKey key, ETag etag, DateTimeOffset now, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            try
            {
                await storage.Batches.DeleteEntityAsync(key.Partition, key.HeadRow, etag, cancellationToken);
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
                var head = (await storage.Batches.GetEntityAsync<TableEntity>(key.Partition, key.HeadRow, cancellationToken: cancellationToken)).Value;
                await IndexAsync([key], Due(now, now), cancellationToken);
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

    private static TableTransactionAction DeleteAction(string partition, string row, ETag etag) =>
        new(TableTransactionActionType.Delete, new TableEntity(partition, row), etag);

    private static TableEntity ToEntity(Entry entry)
    {
        var item = entry.Item;
        var entity = new TableEntity(entry.Key.Partition, entry.Key.ItemRow(item))
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

        var (body, encoding) = entry.Body;
        if (encoding is not null)
        {
            entity["BodyEncoding"] = encoding;
            entity["BodyLength"] = item.Body.Length;
        }

        var chunks = 0;
        for (var offset = 0; offset < body.Length; offset += ChunkBytes, chunks++)
        {
            entity[$"Body{chunks.ToString(CultureInfo.InvariantCulture)}"] = body.Slice(offset, Math.Min(ChunkBytes, body.Length - offset)).ToArray();
        }

        entity["BodyChunks"] = chunks;
        return entity;
    }

    private static BatchItem FromEntity(TableEntity entity, string thread)
    {
        var chunks = entity.GetInt32("BodyChunks") ?? 0;
        var parts = Enumerable.Range(0, chunks).Select(i => entity.GetBinary($"Body{i.ToString(CultureInfo.InvariantCulture)}") ?? []).ToList();
        var stored = new byte[parts.Sum(p => p.Length)];
        var at = 0;
        foreach (var part in parts)
        {
            part.CopyTo(stored, at);
            at += part.Length;
        }

        var body = StoredBody.Decode(stored, entity.GetString("BodyEncoding"), entity.GetInt32("BodyLength") ?? 0);

        return new BatchItem(
            thread,
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

    /// <summary>Index rows for digests due at the same time share their partition: one transaction per hundred.</summary>
    private async Task IndexAsync(IEnumerable<DigestKey> keys, DateTimeOffset due, CancellationToken cancellationToken)
    {
        var bucket = Bucket(due);
        foreach (var chunk in keys.Chunk(100))
        {
            await storage.Due.SubmitTransactionAsync(chunk.Select(k => new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(bucket, k.ToString()))), cancellationToken);
        }
    }

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

    /// <summary>One item to add, where it came from in the caller's list, its digest and its body as stored.</summary>
    private sealed record Entry(int Index, DigestKey Key, BatchItem Item, (ReadOnlyMemory<byte> Bytes, string? Encoding) Body);

    /// <summary>Where a digest lives: its thread's partition and the recipient's prefix within it (both hashes).</summary>
    private sealed record DigestKey(string Partition, string Recipient)
    {
        public string HeadRow => $"{Recipient}-head";

        /// <summary>Every row of this digest: they all start with the recipient's hash and a dash.</summary>
        public string RowsFilter => TableClient.CreateQueryFilter($"PartitionKey eq {Partition} and RowKey ge {Recipient + "-"} and RowKey lt {Recipient + "."}");

        public static DigestKey Of(BatchItem item) => new(BatchKeys.Hash(item.Thread, 16), BatchKeys.Hash(item.RecipientAddress.ToLowerInvariant(), 16));

        public static DigestKey? Parse(string text) => text.Split('_') is [{ Length: > 0 } partition, { Length: > 0 } recipient] ? new(partition, recipient) : null;

        public string ItemRow(BatchItem item) => $"{Recipient}-item-{BatchKeys.Hash(item.EventId)}";

        /// <summary>The index row's key.</summary>
        public override string ToString() => $"{Partition}_{Recipient}";
    }

    /// <summary>A row of the due-time index as a flush found it; its ETag lets the flush delete exactly that version.</summary>
    private readonly record struct IndexEntry(string Bucket, string Key, ETag ETag)
    {
        // '|' occurs in no bucket, key (hex and '_') or ETag.
        public override string ToString() => $"{Bucket}|{Key}|{ETag}";

        public static IndexEntry Parse(string token) =>
            token.Split('|', 3) is [var bucket, var key, var etag] ? new(bucket, key, new ETag(etag)) : new(string.Empty, token, ETag.All);
    }

    /// <summary>What a claim must remember to complete: the index row it came from, the head's version after the claim, the item rows read.</summary>
    private sealed record ClaimTag(IndexEntry Entry, ETag Head, IReadOnlyList<string> Rows)
    {
        public override string ToString() => string.Join('\n', Entry.ToString(), Head.ToString(), string.Join(',', Rows));

        public static ClaimTag Parse(string tag)
        {
            var parts = tag.Split('\n');
            return new(IndexEntry.Parse(parts[0]), new ETag(parts[1]), parts[2].Length == 0 ? [] : parts[2].Split(','));
        }
    }
}
