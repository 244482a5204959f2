namespace Dispatcher.FakeUpstream;

/// <summary>
/// The upstream models whose streaming requests ended because the client went away (its connection aborted or
/// reset) before the answer was complete, and waiters for the next one: what proves a gateway cancelled a call.
/// </summary>
internal sealed class CancellationLog
{
    private readonly Lock _gate = new();
    private readonly List<string> _models = [];
    private readonly List<(string Model, TaskCompletionSource Signal)> _waiters = [];

    public void Add(string model)
    {
        List<TaskCompletionSource>? ready = null;
        lock (_gate)
        {
            _models.Add(model);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Model == model)
                {
                    (ready ??= []).Add(_waiters[i].Signal);
                    _waiters.RemoveAt(i);
                }
            }
        }

        ready?.ForEach(static signal => signal.TrySetResult());
    }

    public int Count(string model)
    {
        lock (_gate)
        {
            return _models.Count(m => m == model);
        }
    }

    public Task WaitAsync(string model, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_models.Contains(model))
            {
                return Task.CompletedTask;
            }

            var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((model, signal));
            return signal.Task.WaitAsync(cancellationToken);
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _models.Clear();
        }
    }
}
