using Notifier.Functions;
using Notifier.Notifications.Delivery;

namespace Notifier.Tests.Functions;

public sealed class RecentMessagesTests
{
    private static DeliveryResult Delivered(string id) => new(DeliveryOutcome.Delivered, null, id, "pullrequest.opened", 1, 1, "250 ok", []);

    [Fact]
    public async Task ASecondMessageWithTheSameIdGetsTheFirstOutcomeWithoutRunningAgain()
    {
        var recent = new RecentMessages();
        var runs = 0;

        var first = await recent.HandleOnceAsync("m1", () => { runs++; return Task.FromResult(Delivered("e1")); });
        var second = await recent.HandleOnceAsync("m1", () => { runs++; return Task.FromResult(Delivered("e2")); });

        Assert.Equal(1, runs);
        Assert.False(first.Duplicate);
        Assert.True(second.Duplicate);
        Assert.Equal("e1", second.Result.EventId);
    }

    [Fact]
    public async Task ACopyArrivingWhileTheFirstIsStillBeingHandledWaitsForIt()
    {
        var recent = new RecentMessages();
        var release = new TaskCompletionSource<DeliveryResult>();
        var runs = 0;

        var first = recent.HandleOnceAsync("m1", () => { Interlocked.Increment(ref runs); return release.Task; });
        var second = recent.HandleOnceAsync("m1", () => { Interlocked.Increment(ref runs); return Task.FromResult(Delivered("other")); });
        release.SetResult(Delivered("e1"));

        Assert.Equal("e1", (await second).Result.EventId);
        Assert.True((await second).Duplicate);
        Assert.False((await first).Duplicate);
        Assert.Equal(1, runs);
    }

    [Fact]
    public async Task TheWindowIsBoundedAndForgetsTheOldestIdsFirst()
    {
        var recent = new RecentMessages(capacity: 2);
        var runs = 0;
        Task<DeliveryResult> Run() { runs++; return Task.FromResult(Delivered("e")); }

        await recent.HandleOnceAsync("a", Run);
        await recent.HandleOnceAsync("b", Run);
        await recent.HandleOnceAsync("c", Run);
        var b = await recent.HandleOnceAsync("b", Run);
        var a = await recent.HandleOnceAsync("a", Run);

        Assert.True(b.Duplicate);
        Assert.False(a.Duplicate);
        Assert.Equal(4, runs);
    }

    [Fact]
    public async Task AFailedAttemptIsForgottenSoTheRedeliveryIsHandledInFull()
    {
        var recent = new RecentMessages();

        await Assert.ThrowsAsync<OperationCanceledException>(() => recent.HandleOnceAsync("m", () => throw new OperationCanceledException()));
        var retry = await recent.HandleOnceAsync("m", () => Task.FromResult(Delivered("e")));

        Assert.False(retry.Duplicate);
    }

    [Fact]
    public async Task MessagesWithoutAnIdAreAlwaysHandled()
    {
        var recent = new RecentMessages();
        var runs = 0;

        await recent.HandleOnceAsync(null, () => { runs++; return Task.FromResult(Delivered("e")); });
        await recent.HandleOnceAsync(null, () => { runs++; return Task.FromResult(Delivered("e")); });

        Assert.Equal(2, runs);
    }
}
