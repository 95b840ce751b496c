using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Notifier.Notifications.Batching;
using Notifier.Notifications.Delivery;

namespace Notifier.Storage;

/// <summary>
/// Service Bus message ids already handled, shared by every instance through the storage account: a message
/// the host delivers again on another instance (its lock was lost) is answered from the record and mails
/// nobody twice. A record is claimed with a conditional insert before the message is handled and holds the
/// outcome after; records are kept a day (one partition per UTC day) and then removed. Without a store, or
/// when it cannot be reached, <see cref="Functions.RecentMessages"/> in the process is the only guard.
/// </summary>
internal sealed class MessageLedger(TableStorage? storage, TimeProvider timeProvider, ILogger<MessageLedger> logger, TimeSpan? waitForOther = null)
{
    /// <summary>A record still "handling" after this long belongs to an instance that died: the message is handled again.</summary>
    public static readonly TimeSpan HandlingLease = TimeSpan.FromMinutes(10);

    /// <summary>How long a copy waits, by default, for another instance that is handling the same message right now.</summary>
    public static readonly TimeSpan DefaultWaitForOther = TimeSpan.FromSeconds(30);

    private const string Handling = "handling";

    public bool IsEnabled => storage is not null;

    /// <summary>How long a copy waits for another instance that is handling the same message right now.</summary>
    public TimeSpan WaitForOther { get; } = waitForOther ?? DefaultWaitForOther;

    /// <summary>
    /// Runs <paramref name="handle"/> unless another instance handled (or is handling) the same message id.
    /// Throws <see cref="MessageInProgressException"/> when another instance is still at it after
    /// <see cref="WaitForOther"/>: the message then goes back to the queue and comes again later.
    /// </summary>
    public async Task<(DeliveryResult Result, bool Duplicate)> HandleOnceAsync(string function, string? messageId, Func<Task<DeliveryResult>> handle, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handle);
        if (storage is not { } tables || string.IsNullOrEmpty(messageId))
        {
            return (await handle(), false);
        }

        var row = BatchKeys.Hash(messageId);
        ETag claim;
        string partition;
        try
        {
            (partition, claim, var earlier) = await TableStorage.RunAsync(() => ClaimAsync(tables, function, messageId, row, cancellationToken), cancellationToken);
            if (earlier is not null)
            {
                return (earlier, true);
            }
        }
        catch (BatchStoreUnavailableException ex)
        {
            StorageLog.LedgerUnavailable(logger, function, messageId, ex.Message);
            return (await handle(), false);
        }

        DeliveryResult result;
        try
        {
            result = await handle();
        }
        catch (Exception)
        {
            // Not handled (e.g. cancelled at shutdown): drop the claim so a redelivery is handled in full.
            await ForgetAsync(tables, partition, row, claim);
            throw;
        }

        await RecordAsync(tables, function, messageId, partition, row, claim, result);
        return (result, false);
    }

    /// <summary>Removes the records of days before yesterday, a bounded number per call (partitions by day: no table scan).</summary>
    public async Task<int> CleanUpAsync(CancellationToken cancellationToken, int limit = 1000)
    {
        if (storage is null)
        {
            return 0;
        }

        var before = Day(timeProvider.GetUtcNow().AddDays(-1));
        return await TableStorage.RunAsync(async () =>
        {
            await storage.EnsureCreatedAsync(cancellationToken);
            var old = new List<TableEntity>();
            var filter = TableClient.CreateQueryFilter($"PartitionKey lt {before}");
            await foreach (var entity in storage.Messages.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
            {
                old.Add(entity);
                if (old.Count >= limit)
                {
                    break;
                }
            }

            foreach (var group in old.GroupBy(e => e.PartitionKey))
            {
                foreach (var chunk in group.Chunk(100))
                {
                    await storage.Messages.SubmitTransactionAsync(chunk.Select(e => new TableTransactionAction(TableTransactionActionType.Delete, e, ETag.All)), cancellationToken);
                }
            }

            return old.Count;
        }, cancellationToken);
    }

    private async Task<(string Partition, ETag Claim, DeliveryResult? Earlier)> ClaimAsync(TableStorage tables, string function, string messageId, string row, CancellationToken cancellationToken)
    {
        await tables.EnsureCreatedAsync(cancellationToken);
        var started = timeProvider.GetUtcNow();
        var waiting = System.Diagnostics.Stopwatch.StartNew();
        var today = Day(started);

        // A redelivery just after midnight finds its record in yesterday's partition.
        var yesterday = await tables.Messages.GetEntityIfExistsAsync<TableEntity>(Day(started.AddDays(-1)), row, cancellationToken: cancellationToken);
        if (yesterday.HasValue && yesterday.Value is { } previous && previous.GetString("Outcome") != Handling)
        {
            return (today, default, ResultOf(previous));
        }

        while (true)
        {
            var now = timeProvider.GetUtcNow();
            try
            {
                var record = new TableEntity(today, row)
                {
                    ["MessageId"] = messageId,
                    ["Function"] = function,
                    ["Outcome"] = Handling,
                    ["ClaimedAt"] = now,
                };
                var added = await tables.Messages.AddEntityAsync(record, cancellationToken);
                return (today, added.Headers.ETag ?? ETag.All, null);
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
                // Handled, or being handled, elsewhere.
            }

            var existing = await tables.Messages.GetEntityIfExistsAsync<TableEntity>(today, row, cancellationToken: cancellationToken);
            if (!existing.HasValue || existing.Value is null)
            {
                continue;
            }

            var other = existing.Value;
            if (other.GetString("Outcome") != Handling)
            {
                return (today, default, ResultOf(other));
            }

            if ((other.GetDateTimeOffset("ClaimedAt") ?? now) + HandlingLease <= now)
            {
                other["ClaimedAt"] = now;
                try
                {
                    var taken = await tables.Messages.UpdateEntityAsync(other, other.ETag, TableUpdateMode.Merge, cancellationToken);
                    return (today, taken.Headers.ETag ?? ETag.All, null);
                }
                catch (RequestFailedException ex) when (ex.Status is 412 or 404)
                {
                    continue;
                }
            }

            // Real time, not the clock: the wait is this process's own, while leases compare stored times.
            if (waiting.Elapsed >= WaitForOther)
            {
                throw new MessageInProgressException(messageId);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
        }
    }

    private async Task RecordAsync(TableStorage tables, string function, string messageId, string partition, string row, ETag claim, DeliveryResult result)
    {
        var record = new TableEntity(partition, row)
        {
            ["MessageId"] = messageId,
            ["Function"] = function,
            ["Outcome"] = DeliveryMetrics.OutcomeTag(result.Outcome),
            ["HandledAt"] = timeProvider.GetUtcNow(),
        };
        Set(record, "EventId", result.EventId);
        Set(record, "EventType", result.EventType);
        Set(record, "Reason", result.Reason);
        try
        {
            // Not cancellable: the message was handled, and the record is what stops a second send.
            await TableStorage.RunAsync(() => tables.Messages.UpdateEntityAsync(record, claim, TableUpdateMode.Replace, CancellationToken.None), CancellationToken.None);
        }
        catch (Exception ex) when (ex is BatchStoreUnavailableException or RequestFailedException)
        {
            StorageLog.LedgerNotRecorded(logger, function, messageId, ex.Message);
        }
    }

    private static async Task ForgetAsync(TableStorage tables, string partition, string row, ETag claim)
    {
        try
        {
            await tables.Messages.DeleteEntityAsync(partition, row, claim, CancellationToken.None);
        }
        catch (RequestFailedException)
        {
            // The claim lapses after HandlingLease anyway.
        }
    }

    private static DeliveryResult ResultOf(TableEntity record)
    {
        var outcome = record.GetString("Outcome") switch
        {
            "delivered" => DeliveryOutcome.Delivered,
            "dropped" => DeliveryOutcome.Dropped,
            "batched" => DeliveryOutcome.Batched,
            _ => DeliveryOutcome.Rejected,
        };
        return new DeliveryResult(outcome, record.GetString("Reason") ?? (outcome == DeliveryOutcome.Rejected ? "rejected when first handled" : null), record.GetString("EventId"), record.GetString("EventType"), 0, 0, null, []);
    }

    private static void Set(TableEntity entity, string name, string? value)
    {
        if (value is not null)
        {
            entity[name] = value;
        }
    }

    private static string Day(DateTimeOffset time) => time.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
}
