namespace Dispatcher.FakeUpstream;

/// <summary>The received requests (when recording) and the tests waiting for one.</summary>
internal sealed class RequestLog(bool record)
{
    private readonly Lock _gate = new();
    private readonly List<ReceivedRequest> _received = [];
    private readonly List<Waiter> _waiters = [];
    private int _waiterCount;

    /// <summary>Whether a request must be captured at all: recording is on or someone is waiting.</summary>
    public bool Wanted => record || Volatile.Read(ref _waiterCount) > 0;

    public void Add(ReceivedRequest request)
    {
        Waiter[] waiters;
        lock (_gate)
        {
            if (record)
            {
                _received.Add(request);
            }

            waiters = _waiters.Count == 0 ? [] : [.. _waiters];
        }

        // Matches run outside the lock: a waiter registered after it saw this request in _received instead.
        foreach (var waiter in waiters)
        {
            if (waiter.Match(request))
            {
                waiter.Completion.TrySetResult(request);
            }
        }
    }

    public IReadOnlyList<ReceivedRequest> Snapshot()
    {
        lock (_gate)
        {
            return [.. _received];
        }
    }

    public Task<ReceivedRequest> WaitAsync(Func<ReceivedRequest, bool> match, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(match);
        Waiter waiter;
        lock (_gate)
        {
            foreach (var request in _received)
            {
                if (match(request))
                {
                    return Task.FromResult(request);
                }
            }

            waiter = new Waiter(match, new(TaskCreationOptions.RunContinuationsAsynchronously));
            _waiters.Add(waiter);
            _waiterCount = _waiters.Count;
        }

        return WaitCoreAsync(waiter, cancellationToken);
    }

    public void Clear()
    {
        lock (_gate)
        {
            _received.Clear();
        }
    }

    private async Task<ReceivedRequest> WaitCoreAsync(Waiter waiter, CancellationToken cancellationToken)
    {
        try
        {
            return await waiter.Completion.Task.WaitAsync(cancellationToken);
        }
        finally
        {
            lock (_gate)
            {
                _waiters.Remove(waiter);
                _waiterCount = _waiters.Count;
            }
        }
    }

    private sealed record Waiter(Func<ReceivedRequest, bool> Match, TaskCompletionSource<ReceivedRequest> Completion);
}
