using Notifier.Smtp.Resilience;

namespace Notifier.Smtp.Tests.Resilience;

public sealed class ConnectionSlotsTests
{
    [Fact]
    public async Task GrantsAsManySlotsAsItHasThenMakesTheNextWait()
    {
        var slots = new ConnectionSlots(2);
        await slots.WaitAsync(CancellationToken.None);
        await slots.WaitAsync(CancellationToken.None);

        var third = slots.WaitAsync(CancellationToken.None);

        Assert.False(third.IsCompleted);
        slots.Release();
        Assert.True(third.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task AReleasedSlotGoesToTheLongestWaiter()
    {
        var slots = new ConnectionSlots(1);
        await slots.WaitAsync(CancellationToken.None);
        var order = new List<int>();
        var waiting = Enumerable.Range(1, 3).Select(async i =>
        {
            await slots.WaitAsync(CancellationToken.None);
            order.Add(i);
        }).ToList();

        slots.Release();
        slots.Release();
        slots.Release();
        await Task.WhenAll(waiting);

        Assert.Equal([1, 2, 3], order);
    }

    [Fact]
    public async Task TheWaiterContinuesOnTheReleasingThreadBeforeReleaseReturns()
    {
        var slots = new ConnectionSlots(1);
        await slots.WaitAsync(CancellationToken.None);
        int? continuedOn = null;
        async Task WaitThenRecord()
        {
            await slots.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            continuedOn = Environment.CurrentManagedThreadId;
        }

        var waiter = WaitThenRecord();
        Assert.False(waiter.IsCompleted);

        // On a pool thread, as in the app: .NET never runs a continuation inline under a synchronization context
        // such as the test framework's.
        var (releasedOn, completedBeforeReturn) = await Task.Run(() =>
        {
            slots.Release();
            return (Environment.CurrentManagedThreadId, waiter.IsCompletedSuccessfully);
        });

        Assert.True(completedBeforeReturn);
        Assert.Equal(releasedOn, continuedOn);
    }

    [Fact]
    public async Task ACancelledWaiterGivesUpItsPlace()
    {
        var slots = new ConnectionSlots(1);
        await slots.WaitAsync(CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var cancelled = slots.WaitAsync(cancel.Token);
        var next = slots.WaitAsync(CancellationToken.None);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        slots.Release();

        Assert.True(next.IsCompletedSuccessfully);
        Assert.False(slots.WaitAsync(CancellationToken.None).IsCompleted, "the slot went to the next waiter, not back to the pool as well");
    }

    [Fact]
    public async Task AReleaseWithNobodyWaitingFreesTheSlot()
    {
        var slots = new ConnectionSlots(1);
        await slots.WaitAsync(CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var gaveUp = slots.WaitAsync(cancel.Token);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => gaveUp);

        slots.Release();

        Assert.True(slots.WaitAsync(CancellationToken.None).IsCompletedSuccessfully);
    }

    [Fact]
    public async Task CancellingAfterTheSlotWasGrantedChangesNothing()
    {
        var slots = new ConnectionSlots(1);
        await slots.WaitAsync(CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var granted = slots.WaitAsync(cancel.Token);
        slots.Release();

        await cancel.CancelAsync();

        await granted;
        Assert.False(slots.WaitAsync(CancellationToken.None).IsCompleted);
    }

    [Fact]
    public async Task AnAlreadyCancelledWaitTakesNoSlot()
    {
        var slots = new ConnectionSlots(1);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => slots.WaitAsync(new CancellationToken(canceled: true)));
        Assert.True(slots.WaitAsync(CancellationToken.None).IsCompletedSuccessfully);
    }
}
