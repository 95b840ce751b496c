namespace Notifier.Smtp.Resilience;

/// <summary>
/// The pool's <c>Mail__MaxConnections</c> slots, first come first served. Unlike <see cref="SemaphoreSlim"/>,
/// which resumes every waiter on the thread pool, a released slot goes straight to the longest waiter, whose
/// send then continues on the releasing thread: that thread has just finished a transaction and has nothing
/// else to do, and under load (16 invocations for 4 connections) each email would otherwise cost one more
/// thread-pool hand-off and wake-up.
/// </summary>
internal sealed class ConnectionSlots
{
    private readonly Lock _gate = new();
    private readonly Queue<Waiter> _waiters = new();
    private int _free;

    public ConnectionSlots(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        _free = count;
    }

    /// <summary>Completes when the caller holds a slot; cancelled waiters give up their place in the queue.</summary>
    public Task WaitAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Waiter waiter;
        lock (_gate)
        {
            if (_free > 0)
            {
                _free--;
                return Task.CompletedTask;
            }

            waiter = new Waiter();
            _waiters.Enqueue(waiter);
        }

        waiter.CancelWith(cancellationToken);
        return waiter.Task;
    }

    /// <summary>Hands the slot to the longest waiter (running its continuation here), or frees it.</summary>
    public void Release()
    {
        Waiter? next = null;
        lock (_gate)
        {
            while (_waiters.TryDequeue(out var waiter))
            {
                if (waiter.TryClaim())
                {
                    next = waiter;
                    break;
                }
            }

            if (next is null)
            {
                _free++;
            }
        }

        next?.Grant();
    }

    private sealed class Waiter
    {
        private const int Waiting = 0;
        private const int Claimed = 1;
        private const int Cancelled = 2;

        // No RunContinuationsAsynchronously: granting the slot runs the waiter's send on the releasing thread.
        private readonly TaskCompletionSource _completion = new();
        private CancellationTokenRegistration _registration;
        private int _state;

        public Task Task => _completion.Task;

        public void CancelWith(CancellationToken cancellationToken)
        {
            if (cancellationToken.CanBeCanceled)
            {
                _registration = cancellationToken.UnsafeRegister(static (state, token) => ((Waiter)state!).Cancel(token), this);
                if (Volatile.Read(ref _state) != Waiting)
                {
                    // Granted (or cancelled) before the registration existed: nothing left for it to do.
                    _registration.Dispose();
                }
            }
        }

        /// <summary>True when the waiter was still waiting and is now the one to be granted the slot.</summary>
        public bool TryClaim() => Interlocked.CompareExchange(ref _state, Claimed, Waiting) == Waiting;

        public void Grant()
        {
            _registration.Dispose();
            _completion.SetResult();
        }

        private void Cancel(CancellationToken token)
        {
            if (Interlocked.CompareExchange(ref _state, Cancelled, Waiting) == Waiting)
            {
                _completion.SetCanceled(token);
            }
        }
    }
}
