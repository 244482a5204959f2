namespace Dispatcher.FakeUpstream;

/// <summary>Counts work in progress and lets a test await the moment none is left.</summary>
internal sealed class InFlightTracker
{
    private readonly Lock _gate = new();
    private int _count;
    private TaskCompletionSource _idle = NewIdleSignal();

    public int Count => Volatile.Read(ref _count);

    public void Enter()
    {
        lock (_gate)
        {
            if (_count++ == 0)
            {
                _idle = NewIdleSignal();
            }
        }
    }

    public void Exit()
    {
        TaskCompletionSource? idle = null;
        lock (_gate)
        {
            if (--_count == 0)
            {
                idle = _idle;
            }
        }

        idle?.TrySetResult();
    }

    public Task WaitForIdleAsync(CancellationToken cancellationToken)
    {
        Task idle;
        lock (_gate)
        {
            idle = _count == 0 ? Task.CompletedTask : _idle.Task;
        }

        return idle.WaitAsync(cancellationToken);
    }

    private static TaskCompletionSource NewIdleSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
