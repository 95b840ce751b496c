using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Microsoft.Extensions.Time.Testing;
using Notifier.Notifications.Batching;
using Notifier.Notifications.Recipients;
using Notifier.Storage;

namespace Notifier.Tests.Storage;

/// <summary>
/// The digest store's own guarantees, on a real Azurite table server: what one add costs, that an item and its
/// digest's head are written together or not at all, how the due-time index follows the digest, and that an item
/// arriving while its digest is sent waits for the next flush.
/// </summary>
[Trait("Category", "Integration")]
public sealed class TableBatchStoreTests(AzuriteTableFixture azurite) : IClassFixture<AzuriteTableFixture>, IAsyncLifetime
{
    private const string Thread = "pr:PAY/ledger-service/482";
    private const string Reviewer = "tomas.alvarez@example.com";

    private static readonly BatchingOptions Options = new() { QuietPeriod = TimeSpan.FromMinutes(10), MaxDelay = TimeSpan.FromMinutes(30) };

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 21, 9, 0, 0, TimeSpan.Zero));

    public Task InitializeAsync() => azurite.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>One app instance's store; <paramref name="requests"/> counts the HTTP requests it makes.</summary>
    private (TableBatchStore Store, TableStorage Tables) Instance(RequestCounter? requests = null)
    {
        var options = new TableClientOptions();
        if (requests is not null)
        {
            options.AddPolicy(requests, HttpPipelinePosition.PerRetry);
        }

        var tables = new TableStorage(new TableServiceClient(azurite.ConnectionString, options));
        return (new TableBatchStore(tables, Options, _clock), tables);
    }

    private BatchItem Item(string eventId, string address = Reviewer) =>
        new(Thread, address, "Tomás Álvarez", RecipientReason.Reviewer, eventId, "pullrequest.approved", _clock.GetUtcNow(), System.Text.Encoding.UTF8.GetBytes($"{{\"id\":\"{eventId}\"}}"), null);

    /// <summary>What a flush at the clock's time would claim, as (event ids) per digest.</summary>
    private async Task<List<List<string>>> ClaimDueAsync(TableBatchStore store, bool all = false)
    {
        var claimed = new List<List<string>>();
        var now = _clock.GetUtcNow();
        await foreach (var key in store.FindDueAsync(now, all, CancellationToken.None))
        {
            if (await store.ClaimAsync(key, now, all, CancellationToken.None) is { } batch)
            {
                claimed.Add([.. batch.Items.Select(i => i.EventId)]);
                await store.CompleteAsync(batch, CancellationToken.None);
            }
        }

        return claimed;
    }

    private static async Task<List<TableEntity>> RowsAsync(TableClient table)
    {
        var rows = new List<TableEntity>();
        await foreach (var row in table.QueryAsync<TableEntity>())
        {
            rows.Add(row);
        }

        return rows;
    }

    [Fact]
    public async Task AddingToAWaitingDigestIsOneRequest()
    {
        var requests = new RequestCounter();
        var (store, tables) = Instance(requests);
        await tables.EnsureCreatedAsync(CancellationToken.None);

        requests.Reset();
        Assert.True(await store.AddAsync(Item("evt-1"), _clock.GetUtcNow(), CancellationToken.None));
        var starting = requests.Reset();
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.True(await store.AddAsync(Item("evt-2"), _clock.GetUtcNow(), CancellationToken.None));
        var adding = requests.Reset();

        // Starting: the add that finds no digest, the index row, then item and head together.
        Assert.Equal(3, starting);
        Assert.Equal(1, adding);
        Assert.Equal([["evt-1", "evt-2"]], await ClaimDueAsync(store, all: true));
    }

    [Fact]
    public async Task InstancesStartingTheSameDigestAtOnceLoseNoItem()
    {
        // Every add but one finds the head written by another in the same moment: its transaction fails on the
        // head, which must take the item back with it, or its retry would call a new event a redelivery.
        var adds = Enumerable.Range(0, 8).Select(i => Task.Run(() => Instance().Store.AddAsync(Item($"evt-{i}"), _clock.GetUtcNow(), CancellationToken.None)));

        var added = await Task.WhenAll(adds);

        Assert.All(added, Assert.True);
        var (store, tables) = Instance();
        Assert.Single(await RowsAsync(tables.Batches), r => r.RowKey == "head");
        var digest = Assert.Single(await ClaimDueAsync(store, all: true));
        Assert.Equal(Enumerable.Range(0, 8).Select(i => $"evt-{i}").Order(), digest.Order());
    }

    [Fact]
    public async Task ARedeliveredItemNeitherAddsTwiceNorPostponesTheDigest()
    {
        var (store, _) = Instance();
        await store.AddAsync(Item("evt-1"), _clock.GetUtcNow(), CancellationToken.None);
        _clock.Advance(TimeSpan.FromMinutes(5));
        await store.AddAsync(Item("evt-2"), _clock.GetUtcNow(), CancellationToken.None);
        _clock.Advance(TimeSpan.FromMinutes(3));

        var again = await store.AddAsync(Item("evt-1"), _clock.GetUtcNow(), CancellationToken.None);

        Assert.False(again);
        // Due 10 minutes after evt-2, not after the redelivery.
        _clock.Advance(TimeSpan.FromMinutes(7));
        Assert.Equal([["evt-1", "evt-2"]], await ClaimDueAsync(store));
    }

    [Fact]
    public async Task AnItemStrandedWithoutItsHeadIsPickedUpWhenItsMessageComesAgain()
    {
        // As an add of an earlier version could leave it: the item written, the process gone before the head.
        var (store, tables) = Instance();
        await store.AddAsync(Item("evt-1"), _clock.GetUtcNow(), CancellationToken.None);
        var head = Assert.Single(await RowsAsync(tables.Batches), r => r.RowKey == "head");
        await tables.Batches.DeleteEntityAsync(head.PartitionKey, head.RowKey);
        foreach (var row in await RowsAsync(tables.Due))
        {
            await tables.Due.DeleteEntityAsync(row.PartitionKey, row.RowKey);
        }

        Assert.Empty(await ClaimDueAsync(store, all: true));

        Assert.False(await store.AddAsync(Item("evt-1"), _clock.GetUtcNow(), CancellationToken.None));
        _clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal([["evt-1"]], await ClaimDueAsync(store));
    }

    [Fact]
    public async Task AFlushMovesTheIndexRowOfADigestThatLaterAddsPushedBack()
    {
        var (store, tables) = Instance();
        await store.AddAsync(Item("evt-1"), _clock.GetUtcNow(), CancellationToken.None);
        _clock.Advance(TimeSpan.FromMinutes(9));
        await store.AddAsync(Item("evt-2"), _clock.GetUtcNow(), CancellationToken.None);
        _clock.Advance(TimeSpan.FromMinutes(1));

        Assert.Empty(await ClaimDueAsync(store));

        var row = Assert.Single(await RowsAsync(tables.Due));
        Assert.Equal(TableBatchStore.Bucket(_clock.GetUtcNow().AddMinutes(9)), row.PartitionKey);
        _clock.Advance(TimeSpan.FromMinutes(9));
        Assert.Equal([["evt-1", "evt-2"]], await ClaimDueAsync(store));
        Assert.Empty(await RowsAsync(tables.Due));
        Assert.Empty(await RowsAsync(tables.Batches));
    }

    [Fact]
    public async Task AnItemAddedWhileItsDigestIsSentWaitsForTheNextFlush()
    {
        var (store, tables) = Instance();
        var now = _clock.GetUtcNow();
        await store.AddAsync(Item("evt-1"), now, CancellationToken.None);
        var key = Assert.Single(await ToListAsync(store.FindDueAsync(now, all: true, CancellationToken.None)));
        var sending = await store.ClaimAsync(key, now, all: true, CancellationToken.None);
        Assert.NotNull(sending);

        // Same minute: the re-opened digest's index row is the very row the flush read.
        Assert.True(await store.AddAsync(Item("evt-2"), now, CancellationToken.None));
        await store.CompleteAsync(sending, CancellationToken.None);

        Assert.Equal(["evt-1"], sending.Items.Select(i => i.EventId));
        Assert.Single(await RowsAsync(tables.Due));
        _clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal([["evt-2"]], await ClaimDueAsync(store));
        Assert.Empty(await RowsAsync(tables.Batches));
    }

    private static async Task<List<string>> ToListAsync(IAsyncEnumerable<string> keys)
    {
        var list = new List<string>();
        await foreach (var key in keys)
        {
            list.Add(key);
        }

        return list;
    }

    /// <summary>Counts the HTTP requests a client sends (each retry too).</summary>
    private sealed class RequestCounter : HttpPipelineSynchronousPolicy
    {
        private int _count;

        public int Reset() => Interlocked.Exchange(ref _count, 0);

        public override void OnSendingRequest(HttpMessage message) => Interlocked.Increment(ref _count);
    }
}
