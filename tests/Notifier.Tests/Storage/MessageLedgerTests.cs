using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Notifier.Notifications.Delivery;
using Notifier.Storage;
using Notifier.Tests.Support;
using Notifier.Smtp.Tests.Servers;

namespace Notifier.Tests.Storage;

/// <summary>The shared record of handled Service Bus messages, on a real Azurite table server.</summary>
[Trait("Category", "Integration")]
public sealed class MessageLedgerTests(AzuriteTableFixture azurite) : IClassFixture<AzuriteTableFixture>, IAsyncLifetime, IDisposable
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 21, 23, 59, 0, TimeSpan.Zero));
    private readonly LogCollector _logs = new();

    public Task InitializeAsync() => azurite.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _logs.Dispose();

    /// <summary>One app instance: its own client and tables object over the shared account.</summary>
    private MessageLedger Instance(string? connectionString = null, TimeSpan? waitForOther = null) =>
        new(new TableStorage(new TableServiceClient(connectionString ?? azurite.ConnectionString)), _clock, new LoggerFactory([_logs]).CreateLogger<MessageLedger>(), waitForOther);

    private static DeliveryResult Delivered(string eventId) => new(DeliveryOutcome.Delivered, null, eventId, "pullrequest.approved", 2, 2, "250 ok", []);

    [Fact]
    public async Task AMessageHandledByOneInstanceIsADuplicateForAnother()
    {
        var runs = 0;
        Task<DeliveryResult> Handle() { Interlocked.Increment(ref runs); return Task.FromResult(Delivered("evt-1")); }

        var first = await Instance().HandleOnceAsync("PullRequestEvents", "msg-1", Handle, CancellationToken.None);
        var second = await Instance().HandleOnceAsync("PullRequestEvents", "msg-1", Handle, CancellationToken.None);

        Assert.Equal(1, runs);
        Assert.False(first.Duplicate);
        Assert.True(second.Duplicate);
        Assert.Equal((DeliveryOutcome.Delivered, "evt-1", "pullrequest.approved"), (second.Result.Outcome, second.Result.EventId, second.Result.EventType));
    }

    [Fact]
    public async Task ARedeliveryJustAfterMidnightFindsYesterdaysRecord()
    {
        await Instance().HandleOnceAsync("PullRequestEvents", "msg-1", () => Task.FromResult(Delivered("evt-1")), CancellationToken.None);
        _clock.Advance(TimeSpan.FromMinutes(5));

        var again = await Instance().HandleOnceAsync("PullRequestEvents", "msg-1", () => throw new InvalidOperationException("handled twice"), CancellationToken.None);

        Assert.True(again.Duplicate);
    }

    [Fact]
    public async Task ARejectedMessageKeepsItsReasonForTheRedelivery()
    {
        await Instance().HandleOnceAsync("AccountEvents", "msg-1", () => Task.FromResult(DeliveryResult.Rejected("the body is not JSON", null, null)), CancellationToken.None);

        var again = await Instance().HandleOnceAsync("AccountEvents", "msg-1", () => throw new InvalidOperationException("handled twice"), CancellationToken.None);

        Assert.Equal((DeliveryOutcome.Rejected, "the body is not JSON"), (again.Result.Outcome, again.Result.Reason));
    }

    [Fact]
    public async Task AHandlingThatFailsLeavesNoRecordSoTheRedeliveryIsHandledInFull()
    {
        await Assert.ThrowsAsync<OperationCanceledException>(() =>
            Instance().HandleOnceAsync("PullRequestEvents", "msg-1", () => throw new OperationCanceledException(), CancellationToken.None));

        var again = await Instance().HandleOnceAsync("PullRequestEvents", "msg-1", () => Task.FromResult(Delivered("evt-1")), CancellationToken.None);

        Assert.False(again.Duplicate);
    }

    [Fact]
    public async Task ACopyArrivingWhileAnotherInstanceIsHandlingItWaitsForTheOutcome()
    {
        var release = new TaskCompletionSource<DeliveryResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var other = Instance();

        var first = Instance().HandleOnceAsync("PullRequestEvents", "msg-1", () => release.Task, CancellationToken.None);
        await WaitForRecordAsync();
        var second = other.HandleOnceAsync("PullRequestEvents", "msg-1", () => throw new InvalidOperationException("handled twice"), CancellationToken.None);
        await Task.Delay(300);
        Assert.False(second.IsCompleted);
        release.SetResult(Delivered("evt-1"));

        Assert.False((await first).Duplicate);
        Assert.True((await second).Duplicate);
    }

    [Fact]
    public void ACopyWaitsThirtySecondsForAnotherInstanceUnlessToldOtherwise()
    {
        Assert.Equal(TimeSpan.FromSeconds(30), MessageLedger.DefaultWaitForOther);
        Assert.Equal(TimeSpan.FromSeconds(30), Instance().WaitForOther);
    }

    [Fact]
    public async Task ACopyStillWaitingWhenTheWaitEndsThrowsMessageInProgressAndIsNotHandled()
    {
        var release = new TaskCompletionSource<DeliveryResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = Instance().HandleOnceAsync("PullRequestEvents", "msg-1", () => release.Task, CancellationToken.None);
        await WaitForRecordAsync();
        var runs = 0;
        var waited = System.Diagnostics.Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<MessageInProgressException>(() =>
            Instance(waitForOther: TimeSpan.FromMilliseconds(600)).HandleOnceAsync("PullRequestEvents", "msg-1", () => { runs++; return Task.FromResult(Delivered("evt-1")); }, CancellationToken.None));

        Assert.True(waited.Elapsed >= TimeSpan.FromMilliseconds(600), $"gave up after {waited.Elapsed}");
        Assert.Equal(0, runs);
        Assert.Contains("msg-1", error.Message, StringComparison.Ordinal);
        release.SetResult(Delivered("evt-1"));
        Assert.False((await first).Duplicate);
    }

    [Fact]
    public async Task WithTheStoreUnreachableTheMessageIsHandledWithAWarning()
    {
        using var down = new RefusingPort();
        var closed = down.Port;
        var ledger = Instance($"DefaultEndpointsProtocol=http;AccountName={AzuriteServer.AccountName};AccountKey={AzuriteServer.AccountKey};TableEndpoint=http://127.0.0.1:{closed}/{AzuriteServer.AccountName};");

        var result = await ledger.HandleOnceAsync("PullRequestEvents", "msg-1", () => Task.FromResult(Delivered("evt-1")), CancellationToken.None);

        Assert.False(result.Duplicate);
        var warning = Assert.Single(_logs.Entries, e => e.EventId == 3200);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("msg-1", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RecordsOlderThanADayAreRemovedByPartitionAndYesterdaysStay()
    {
        var ledger = Instance();
        await ledger.HandleOnceAsync("PullRequestEvents", "old", () => Task.FromResult(Delivered("evt-old")), CancellationToken.None);
        _clock.Advance(TimeSpan.FromDays(1));
        await ledger.HandleOnceAsync("PullRequestEvents", "recent", () => Task.FromResult(Delivered("evt-recent")), CancellationToken.None);
        _clock.Advance(TimeSpan.FromDays(1));

        var removed = await ledger.CleanUpAsync(CancellationToken.None);

        Assert.Equal(1, removed);
        var left = new TableServiceClient(azurite.ConnectionString).GetTableClient(TableStorage.MessagesTable).QueryAsync<TableEntity>();
        var ids = new List<string>();
        await foreach (var entity in left)
        {
            ids.Add(entity.GetString("MessageId"));
        }

        Assert.Equal(["recent"], ids);
    }

    private async Task WaitForRecordAsync()
    {
        var table = new TableServiceClient(azurite.ConnectionString).GetTableClient(TableStorage.MessagesTable);
        for (var i = 0; i < 200; i++)
        {
            try
            {
                await foreach (var _ in table.QueryAsync<TableEntity>(maxPerPage: 1))
                {
                    return;
                }
            }
            catch (Azure.RequestFailedException)
            {
                // The table is not there yet.
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("the first instance never claimed the message");
    }
}
