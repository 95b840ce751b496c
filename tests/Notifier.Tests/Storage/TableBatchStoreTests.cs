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

    private async Task<bool> AddAsync(TableBatchStore store, BatchItem item) => Assert.Single(await store.AddAsync([item], _clock.GetUtcNow(), CancellationToken.None));

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
    public async Task AnEventForPeopleWhoseDigestsAreWaitingIsOneRequest()
    {
        var requests = new RequestCounter();
        var (store, tables) = Instance(requests);
        await tables.EnsureCreatedAsync(CancellationToken.None);
        string[] people = [Reviewer, "mei.lin@example.com", "ana.silva@example.com"];

        requests.Reset();
        Assert.Equal([true, true, true], await store.AddAsync([.. people.Select(p => Item("evt-1", p))], _clock.GetUtcNow(), CancellationToken.None));
        var starting = requests.Reset();
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal([true, true, true], await store.AddAsync([.. people.Select(p => Item("evt-2", p))], _clock.GetUtcNow(), CancellationToken.None));
        var adding = requests.Reset();

        // Starting three digests: the write that finds none, one look at the thread, their index rows, then the items
        // and heads. Adding to them: one write, whatever the number of people.
        Assert.Equal(4, starting);
        Assert.Equal(1, adding);
        Assert.Equal([["evt-1", "evt-2"], ["evt-1", "evt-2"], ["evt-1", "evt-2"]], await ClaimDueAsync(store, all: true));
    }

    [Fact]
    public async Task ARedeliveredEventReachesOnlyThePeopleWhoseDigestsLackIt()
    {
        // The first write (item for the reviewer: there already; head for Mei: none yet) fails whole. Had it left
        // Mei's item behind, the second look would take her for a redelivery too and her digest would have no head.
        var (store, _) = Instance();
        Assert.True(await AddAsync(store, Item("evt-1")));

        var again = await store.AddAsync([Item("evt-1"), Item("evt-1", "mei.lin@example.com")], _clock.GetUtcNow(), CancellationToken.None);

        Assert.Equal([false, true], again);
        Assert.Equal([["evt-1"], ["evt-1"]], await ClaimDueAsync(store, all: true));
    }

    [Fact]
    public async Task ThePersonTwiceInOneEventGetsOneItem()
    {
        var (store, _) = Instance();

        var added = await store.AddAsync([Item("evt-1"), Item("evt-1", Reviewer.ToUpperInvariant())], _clock.GetUtcNow(), CancellationToken.None);

        Assert.Equal([true, false], added);
        Assert.Equal([["evt-1"]], await ClaimDueAsync(store, all: true));
    }

    [Fact]
    public async Task InstancesStartingTheSameDigestAtOnceLoseNoItem()
    {
        // Every add but one finds the head written by another in the same moment: its transaction fails on the
        // head, which must take the item back with it, or its retry would call a new event a redelivery.
        var adds = Enumerable.Range(0, 8).Select(i => Task.Run(() => AddAsync(Instance().Store, Item($"evt-{i}"))));

        var added = await Task.WhenAll(adds);

        Assert.All(added, Assert.True);
        var (store, tables) = Instance();
        Assert.Single(await RowsAsync(tables.Batches), r => r.RowKey.EndsWith("-head", StringComparison.Ordinal));
        var digest = Assert.Single(await ClaimDueAsync(store, all: true));
        Assert.Equal(Enumerable.Range(0, 8).Select(i => $"evt-{i}").Order(), digest.Order());
    }

    [Fact]
    public async Task ARedeliveredItemNeitherAddsTwiceNorPostponesTheDigest()
    {
        var (store, _) = Instance();
        await AddAsync(store, Item("evt-1"));
        _clock.Advance(TimeSpan.FromMinutes(5));
        await AddAsync(store, Item("evt-2"));
        _clock.Advance(TimeSpan.FromMinutes(3));

        var again = await AddAsync(store, Item("evt-1"));

        Assert.False(again);
        // Due 10 minutes after evt-2, not after the redelivery.
        _clock.Advance(TimeSpan.FromMinutes(7));
        Assert.Equal([["evt-1", "evt-2"]], await ClaimDueAsync(store));
    }

    [Fact]
    public async Task AFlushMovesTheIndexRowOfADigestThatLaterAddsPushedBack()
    {
        var (store, tables) = Instance();
        await AddAsync(store, Item("evt-1"));
        _clock.Advance(TimeSpan.FromMinutes(9));
        await AddAsync(store, Item("evt-2"));
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
        await AddAsync(store, Item("evt-1"));
        var key = Assert.Single(await ToListAsync(store.FindDueAsync(now, all: true, CancellationToken.None)));
        var sending = await store.ClaimAsync(key, now, all: true, CancellationToken.None);
        Assert.NotNull(sending);

        // Same minute: the re-opened digest's index row is the very row the flush read.
        Assert.True(await AddAsync(store, Item("evt-2")));
        await store.CompleteAsync(sending, CancellationToken.None);

        Assert.Equal(["evt-1"], sending.Items.Select(i => i.EventId));
        Assert.Single(await RowsAsync(tables.Due));
        _clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal([["evt-2"]], await ClaimDueAsync(store));
        Assert.Empty(await RowsAsync(tables.Batches));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task EveryBodyComesBackAsItWasStored(bool compressible)
    {
        // Over 64 KiB: random bytes stay that big and span several properties; JSON shrinks and is stored compressed.
        var body = compressible
            ? System.Text.Encoding.UTF8.GetBytes($"{{\"id\":\"evt-1\",\"comment\":\"{string.Concat(Enumerable.Repeat("The retry budget resets every minute. ", 5000))}\"}}")
            : System.Security.Cryptography.RandomNumberGenerator.GetBytes(150_000);
        var (store, tables) = Instance();
        var now = _clock.GetUtcNow();
        await store.AddAsync([Item("evt-1") with { Body = body }, Item("evt-1", "mei.lin@example.com") with { Body = body }], now, CancellationToken.None);

        var items = (await RowsAsync(tables.Batches)).Where(r => r.RowKey.Contains("-item-", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, items.Count);
        Assert.All(items, i => Assert.Equal(compressible ? "br" : null, i.GetString("BodyEncoding")));
        await foreach (var key in store.FindDueAsync(now, all: true, CancellationToken.None))
        {
            var batch = await store.ClaimAsync(key, now, all: true, CancellationToken.None);
            Assert.Equal(body, Assert.Single(batch!.Items).Body.ToArray());
        }
    }

    [Fact]
    public async Task ABigEventForManyPeopleIsSplitIntoRequestsTheServiceTakes()
    {
        // 30 copies of 200 KB that do not compress: about 8 MB, twice what one transaction may carry.
        var body = System.Security.Cryptography.RandomNumberGenerator.GetBytes(200_000);
        var people = Enumerable.Range(0, 30).Select(i => $"person{i}@example.com").ToList();
        var (store, _) = Instance();

        var added = await store.AddAsync([.. people.Select(p => Item("evt-1", p) with { Body = body })], _clock.GetUtcNow(), CancellationToken.None);

        Assert.All(added, Assert.True);
        Assert.Equal(30, (await ClaimDueAsync(store, all: true)).Count);
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
